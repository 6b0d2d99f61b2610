"""Proton's template language: bundles and their archives, schemas, specs, rendering as Proton did
(`render/`), recovering versions and inputs from deployed stacks (`recover/`), and Jinja analysis."""
