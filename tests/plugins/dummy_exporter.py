"""A complete, minimal exporter: copy this file to start a third-party export target.

Register it in your distribution's pyproject.toml:

    [project.entry-points."proton_exodus.exporters"]
    dummy = "my_package.dummy_exporter:exporter"

Rules (STYLE.md §4): an exporter is pure. It reads `ctx` and returns files and findings; it never
writes files, calls AWS, reads the clock or uses randomness. `exodus export` writes the files
atomically, keeps `.exodus/manifest.json`, and turns findings into MANUAL_TASKS.md.
"""

from __future__ import annotations

from exporters import API_VERSION, ExportContext, ExportResult, Finding


class DummyExporter:
    name = "dummy"  # must equal the entry-point name
    summary = "One text file per stack (an example to copy)"  # shown by `exodus export --list-targets`
    api_version = API_VERSION  # exodus refuses exporters built for another contract version

    def export(self, ctx: ExportContext) -> ExportResult:
        files: dict[str, str] = {}
        findings: list[Finding] = []
        # ctx.units: one DeploymentUnit per stack, dependency order, already filtered by --only.
        for unit in ctx.units:
            if not unit.stack_name:
                # Codes start with E (blocks a wave), W (manual step) or I (information).
                findings.append(Finding("I-DUMMY-NO-STACK", f"{unit.label} has no stack", unit.arn))
                continue
            # Paths are relative POSIX paths; texts use LF and end with a newline.
            files[f"stacks/{unit.account}/{unit.region}/{unit.stack_name}.txt"] = (
                f"kind: {unit.kind}\nname: {unit.label}\nstatus: {unit.stack_status}\n")
        # ctx.options holds `--opt KEY=VALUE` pairs; validate them and raise BadInput on bad ones.
        greeting = ctx.options.get("greeting", "hello")
        files["README.md"] = f"# {greeting}\n\n{len(files)} stack(s).\n"
        return ExportResult(files=dict(sorted(files.items())), findings=tuple(findings))


exporter = DummyExporter()
