"""Proton template versions as parameterised CloudFormation templates, shared by their instances and
proven per instance against what Proton deployed (the export's template-preserving path)."""
