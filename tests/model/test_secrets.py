"""Sensitive spec values: detected by name or by shape, swapped in place, restorable."""

from __future__ import annotations

import yaml

from proton_exodus.model.secrets import PLACEHOLDER_RE, looks_secret, redact_spec, restore_data

SPEC = """proton: ServiceSpec
pipeline:
  inputs:
    service_dir: app   # where the code is
instances:
  - name: prod
    environment: prod-env
    spec:
      db_password: "hunter2-very-long"
      api_key: abc123
      port: 8080
      notify: https://hooks.example.com/x
      token_ref: arn:aws:secretsmanager:us-east-1:111111111111:secret:db
      plain: AKIAABCDEFGHIJKLMNOP
"""


def test_names_and_shapes_that_look_secret() -> None:
    assert looks_secret("db_password", "x")
    assert looks_secret("GITHUB_TOKEN", "x")
    assert looks_secret("ssh_key", "x")
    assert looks_secret("anything", "ghp_" + "a" * 36)
    assert looks_secret("url", "postgres://user:pw@db:5432/x")
    assert not looks_secret("port", 8080)
    assert not looks_secret("token_ref", "arn:aws:secretsmanager:us-east-1:1:secret:x")
    assert not looks_secret("enabled_key", True)


def test_redaction_keeps_layout_and_round_trips() -> None:
    text, secrets = redact_spec(SPEC, "services/111/us-east-1/svc/spec")
    assert "hunter2" not in text and "abc123" not in text and "AKIA" not in text
    assert "# where the code is" in text  # comments and layout survive
    assert len(secrets) == 3
    data = yaml.safe_load(text)
    spec = data["instances"][0]["spec"]
    assert PLACEHOLDER_RE.fullmatch(spec["db_password"]) and PLACEHOLDER_RE.fullmatch(spec["plain"])
    assert spec["port"] == 8080 and spec["token_ref"].startswith("arn:")
    assert restore_data(data, secrets) == yaml.safe_load(SPEC)


def test_ids_are_stable_and_independent_of_values() -> None:
    one, a = redact_spec("spec:\n  password: one\n", "scope")
    two, b = redact_spec("spec:\n  password: two\n", "scope")
    assert one == two and list(a) == list(b) and a != b


def test_flow_style_and_json_specs() -> None:
    text, secrets = redact_spec('{"proton": "EnvironmentSpec", "spec": {"secret": "s3cr3t", "n": 1}}', "x")
    assert "s3cr3t" not in text and yaml.safe_load(text)["spec"]["n"] == 1
    assert list(secrets.values()) == ["s3cr3t"]


def test_spec_without_secrets_is_untouched() -> None:
    assert redact_spec("spec:\n  port: 1\n", "x") == ("spec:\n  port: 1\n", {})
    assert redact_spec(": not yaml : [", "x") == (": not yaml : [", {})


def test_templates_are_scrubbed_and_restored_exactly(tmp_path) -> None:  # noqa: ANN001 - pytest fixture
    from proton_exodus.model.secrets import restore_text, scrub_text
    from proton_exodus.model.snapshot import Snapshot, load_snapshot, write_snapshot

    secrets = {"a" * 16: "hunter2-very-long", "b" * 16: "hunter2-very-long-and-more", "c" * 16: "abc"}
    template = 'Value: "hunter2-very-long-and-more"\nOther: hunter2-very-long\nShort: abc\n'
    scrubbed = scrub_text(template, secrets)
    assert "hunter2" not in scrubbed and "Short: abc" in scrubbed  # too short to swap safely
    assert restore_text(scrubbed, secrets) == template
    assert restore_text(scrubbed, {}) == scrubbed  # a --redact snapshot keeps the placeholders
    stack = {"StackName": "s", "account": "1", "region": "r", "templatePath": "stacks/s.template"}
    # A snapshot written with clear templates (e.g. by an older exodus) is scrubbed on the way out.
    write_snapshot(
        Snapshot(stacks=[stack], templates={"stacks/s.template": template}, secrets=secrets),
        tmp_path / "snap",
    )
    assert "hunter2" not in (tmp_path / "snap" / "stacks" / "s.template").read_text()
    assert load_snapshot(tmp_path / "snap").stack_template(stack) == template


# ---------------------------------------------------------------- rules unified from their old homes


def test_placeholder_regex_accepts_every_id_exodus_writes() -> None:
    """Inventory's ids (sha256 prefix, and the stand-ins of _redaction_plan) are what units,
    translate and audit once matched with their own, looser patterns."""
    from proton_exodus.model.secrets import _STAND_IN, PLACEHOLDER, _secret_id, placeholder_id

    text, secrets = redact_spec("spec:\n  password: hunter2-very-long\n", "environments/1/r/e/spec")
    ids = [*secrets, _secret_id("scope", ("spec", "password")), _STAND_IN.format(7)]
    assert all(PLACEHOLDER_RE.fullmatch(PLACEHOLDER.format(i)) for i in ids)
    assert placeholder_id(yaml.safe_load(text)["spec"]["password"]) == ids[0]
    assert placeholder_id("{{exodus:secret:0123456789abcdef}} and more") is None
    assert placeholder_id(42) is None


def test_sensitive_inputs_are_placeholders_or_secret_looking() -> None:
    """One rule for units (was: placeholder or a narrower name regex) and the audit (a regex subset)."""
    from proton_exodus.model.secrets import sensitive_inputs

    old_unit_names = [
        "password",
        "db_passwd",
        "client_secret",
        "github_token",
        "private_key",
        "privatekey",
        "api_key",
        "apikey",
        "credential",
    ]
    old_audit_names = ["passphrase", "access_key", "access-key", "client-secret", "private-key"]
    inputs = {name: "clear-value" for name in old_unit_names + old_audit_names}
    inputs.update(
        held="{{exodus:secret:0123456789abcdef}}",
        port=8080,
        note="AKIAABCDEFGHIJKLMNOP",
        token_ref="{{resolve:secretsmanager:db}}",
        token_enabled=True,
        region="us-east-1",
    )
    assert sensitive_inputs(inputs) == frozenset([*old_unit_names, *old_audit_names, "held", "note"])


def test_threshold_is_shared_by_scrub_references_and_masking() -> None:
    from proton_exodus.model.secrets import (
        MASK,
        MIN_SCRUB_LENGTH,
        SECRET_REF,
        Redactor,
        reference_in_tree,
        reference_secrets,
        scrub_text,
        secret_name,
    )

    short, long_ = "x" * (MIN_SCRUB_LENGTH - 1), "y" * MIN_SCRUB_LENGTH
    secrets = {"a" * 16: short, "b" * 16: long_}
    text = f"one: pre-{short}-post\ntwo: pre-{long_}-post\n"
    placeholder = "{{exodus:secret:" + "b" * 16 + "}}"
    assert scrub_text(text, secrets) == f"one: pre-{short}-post\ntwo: pre-{placeholder}-post\n"
    ref = SECRET_REF.format(secret_name("stack", "db_password"))
    assert ref == "{{resolve:secretsmanager:exodus/stack/db_password}}"
    out, names = reference_secrets(text, secrets, stack="stack", inputs={"db_password": long_})
    assert out == f"one: pre-{short}-post\ntwo: pre-{ref}-post\n" and names == ["exodus/stack/db_password"]
    tree = {"Whole": short, "Inside": f"pre-{short}", "Longer": f"pre-{long_}"}
    assert reference_in_tree(tree, short, "R") == {**tree, "Whole": "R"}
    assert reference_in_tree(tree, long_, "R")["Longer"] == "pre-R"
    redact = Redactor({"s": {"nested": long_}, "t": short})
    assert redact(f"{short} {long_} postgres://u:pw@db/x") == f"{short} {MASK} {MASK}db/x"
