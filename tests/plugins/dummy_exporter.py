"""A complete, minimal exporter: copy this file to start a third-party export target.

Register it in your distribution's pyproject.toml:

    [project.entry-points."proton_exodus.exporters"]
    dummy = "my_package.dummy_exporter:exporter"

Rules (STYLE.md §4): an exporter is pure. It reads `ctx` and returns files and findings; it never
writes files, calls AWS, reads the clock or uses randomness. `exodus export` writes the files
atomically, keeps `.exodus/manifest.json`, and turns findings into MANUAL_TASKS.md.
"""

from __future__ import annotations

from exporters import API_VERSION, ExportContext, ExportResult, Finding, Handover, StackRef


def stack_file(account: str, region: str, stack_name: str) -> str:
    """Where this export puts a stack: one function, read by `export` and by `handover`."""
    return f"stacks/{account}/{region}/{stack_name}.txt"


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
            files[stack_file(unit.account, unit.region, unit.stack_name)] = (
                f"kind: {unit.kind}\nname: {unit.label}\nstatus: {unit.stack_status}\n"
            )
        # ctx.options holds `--opt KEY=VALUE` pairs; validate them and raise BadInput on bad ones.
        greeting = ctx.options.get("greeting", "hello")
        files["README.md"] = f"# {greeting}\n\n{len(files)} stack(s).\n"
        return ExportResult(files=dict(sorted(files.items())), findings=tuple(findings))

    # Optional hooks (exporters/__init__.py, `Exporter`); leave out any your target cannot answer.
    def handover(self, ref: StackRef) -> tuple[Handover, ...]:
        """The export's file that hands `ref` over, so `exodus plan` can name it in its runbooks. With no
        `runbook` attribute (the commands that apply such files), the runbook lists the files to apply
        by hand. `ref.kind == "account"` asks for files that prepare an account and Region: none here."""
        if ref.kind == "account" or not ref.stack_name:
            return ()
        return (Handover(stack_file(ref.account, ref.region, ref.stack_name), ref.stack_name),)

    # Also optional: `runbook` (an `exporters.Runbook`: the commands for those files), `exported_stacks(dir)`
    # (the stacks an export deploys, read back for `exodus verify`) and `default = True` (the target
    # `exodus plan` uses when none is given; the built-in cfn-git-sync sets it).


exporter = DummyExporter()
