"""What an expert looks for (issue 21, defect 9): secrets to rotate, older minor versions, template
versions without a bundle, the remedy that fits the stack status, every account crawled, the stacks'
service roles to keep, and pipelines that deploy production before staging."""

from __future__ import annotations

import re

from proton_exodus.audit import RULES, audit_snapshot
from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot

SMALL = SyntheticSize(1, 2, 1, True)


def _by_code(report, code: str) -> list:
    return [f for f in report.findings if f.code == code]


def test_a_secret_that_was_deployed_in_clear_is_flagged_for_rotation() -> None:
    snap = build_synthetic_snapshot(SMALL)
    inst = snap.records["service_instances"][0]
    head = "    spec:\n"
    inst["spec"] = inst["spec"].replace(
        head, head + "      api_token: '{{exodus:secret:00ab12cd00ab12cd}}'\n", 1
    )
    stack = next(s for s in snap.stacks if s["resourceArn"] == inst["arn"])
    snap.templates[stack["templatePath"]] += "\n# {{exodus:secret:11ab12cd00ab12cd}}\n"
    found = _by_code(audit_snapshot(snap), "I171")
    assert len(found) == 1 and found[0].resource == inst["arn"]
    assert "rotate 00ab12cd00ab12cd, 11ab12cd00ab12cd after the hand-over" in found[0].message
    assert "its spec" in found[0].message and stack["StackName"] in found[0].message
    assert "Rotate" in RULES["I171"].remedy and RULES["I171"].source.startswith("https://")


def test_an_older_minor_version_names_the_recommended_one() -> None:
    snap = build_synthetic_snapshot(SMALL)
    tpl = snap.records["service_templates"][0]
    version = dict(
        next(v for v in snap.records["service_template_versions"] if v["templateName"] == tpl["name"])
    )
    version.update(minorVersion="1", arn=version["arn"].rsplit(":", 1)[0] + ":1.1")
    snap.records["service_template_versions"].append(version)
    tpl["recommendedVersion"] = "1.1"
    found = _by_code(audit_snapshot(snap), "I122")
    assert found and all("the recommended version is 1.1" in f.message for f in found)
    assert {f.kind for f in found} == {"service_instance", "service_pipeline"}


def test_a_version_without_bundle_is_a_finding_even_unused() -> None:
    snap = build_synthetic_snapshot(SMALL)
    version = dict(snap.records["service_template_versions"][0])
    version.update(minorVersion="7", arn=version["arn"].rsplit(":", 1)[0] + ":1.7", bundle=None)
    snap.records["service_template_versions"].append(version)
    found = _by_code(audit_snapshot(snap), "I123")
    assert [f.label for f in found] == [f"{version['templateName']} 1.7"]


def test_the_remedy_fits_the_stack_status() -> None:
    snap = build_synthetic_snapshot(SMALL)
    first, second = (s for s in snap.stacks if s["resourceKind"] == "service_instance")
    first["StackStatus"], second["StackStatus"] = "ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED"
    report = audit_snapshot(snap)
    e114, e110 = _by_code(report, "E114"), _by_code(report, "E110")
    assert [f.resource for f in e114] == [first["resourceArn"]] and "delete and re-create" in e114[0].message
    assert [f.resource for f in e110] == [second["resourceArn"]] and "continue-update-rollback" in e110[
        0
    ].message
    assert "continue-update-rollback" not in RULES["E114"].remedy
    assert "import" in RULES["E114"].remedy.lower()
    assert set(report.blocking()) == {first["resourceArn"], second["resourceArn"]}


def test_the_header_lists_every_account_crawled() -> None:
    snap = build_synthetic_snapshot(SyntheticSize(2, 2, 1, True, account_connections=1))
    accounts = {s["account"] for s in snap.stacks}
    assert len(accounts) == 2
    snap.meta["accounts"] = sorted(accounts)[:1]  # what the crawler recorded: only the management account
    report = audit_snapshot(snap)
    assert set(report.snapshot["accounts"]) >= accounts
    assert all(a in report.to_markdown().split("\n", 3)[2] for a in accounts)


def test_protons_roles_that_are_stack_service_roles_must_be_kept() -> None:
    snap = build_synthetic_snapshot(SMALL)
    role = "arn:aws:iam::111111111111:role/proton-service-role"
    for stack in snap.stacks:
        stack["RoleARN"] = role
    found = _by_code(audit_snapshot(snap), "W193")
    assert len(found) == 1 and role in found[0].message and f"({len(snap.stacks)} stacks)" in found[0].message
    assert "Keep these roles" in RULES["W193"].remedy


def test_a_pipeline_deploying_production_before_staging_is_named() -> None:
    report = audit_snapshot(build_synthetic_snapshot(SyntheticSize(3, 4, 2, True)))
    found = _by_code(report, "W141")  # svc-00001 runs in prod-002 and staging-001: by name, prod comes first
    assert [f.label for f in found] == ["svc-00001/pipeline"]
    assert "tier order would be" in found[0].message
    order, tiered = (
        found[0].message.split("deploys ")[1].split(" (")[0],
        found[0].message.split("would be ")[1],
    )
    assert order != tiered and tiered.index("staging") < tiered.index("prod-")


def test_no_remedy_calls_proton() -> None:
    for code, rule in RULES.items():
        assert not re.search(r"aws proton [a-z]", rule.remedy), code
        assert "through Proton" not in rule.remedy or code.startswith("I"), code


def test_a_rebuilt_customer_managed_environment_is_not_a_missing_stack() -> None:
    """From the stacks, a customer-managed environment's template record lacks Proton's `provisioning`
    member; the environment record's own `provisioning.engine` still says what it is."""
    snap = build_synthetic_snapshot(SMALL)
    env = snap.records["environments"][0]
    env["provisioning"] = {"engine": "customer-managed", "folder": None, "repository": None}
    snap.stacks = [s for s in snap.stacks if s["resourceArn"] != env["arn"]]
    codes = {f.code for f in audit_snapshot(snap).findings if f.resource == env["arn"]}
    assert codes == {"W132"}
