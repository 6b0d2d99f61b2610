"""The runbook's "stage the secrets" step, rehearsed: before the first wave, every Parameter Store value the
export's PLANNED_CHANGES.json lists under `stage` is put in its account and Region, as the runbook's
`aws ssm put-parameter` lines do (exporters' README / PLANNED_CHANGES.md).

The value is the snapshot's secrets.json entry. Without secrets.json the rebuilt stacks hold the
inventory placeholder text instead of the secret, so that same text is staged: the first deploy then
compares equal values, exactly as it would in the real account with the real value. A deploy that reads
an unstaged parameter is what a forgotten runbook step looks like; staging is never skipped silently."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from proton_exodus.model.secrets import PLACEHOLDER
from proton_exodus.model.snapshot import Snapshot
from proton_exodus.rehearse.model import FAILED, OK, Step

SsmFactory = Callable[[str, str], Any]
"""(account, Region) -> a boto3 SSM client acting in that account and Region."""


def stage_secrets(
    snapshot: Snapshot,
    staged: Sequence[Mapping[str, Any]] | None,
    ssm: SsmFactory,
    *,
    stand_ins: bool = True,
) -> Iterator[Step]:
    """One wave-0 `stage` step per Parameter Store value in `staged` (PLANNED_CHANGES.json's `stage`),
    in the file's order; a failed put (or an entry without a name) is a failed step, never a skip.
    `stand_ins` only when this rehearsal rebuilt the stacks itself: against an estate it did not build
    (an `--endpoint-url`), a value secrets.json lacks fails the step, as placeholder text must never be
    staged where a deploy would write it."""
    for entry in staged or ():
        name, secret_id = str(entry.get("name") or ""), str(entry.get("secretId") or "")
        account, region = str(entry.get("account") or ""), str(entry.get("region") or "")
        step = Step(
            0,
            "stage",
            name,
            account,
            region,
            command=f"aws ssm put-parameter --type String --overwrite --name '{name}' "
            f"(account {account}, {region}; value: secrets.json[{secret_id}])",
        )
        if not name or not secret_id or not account or not region:
            step.outcome, step.message = FAILED, "PLANNED_CHANGES.json: a `stage` entry lacks a field"
            yield step
            continue
        value = snapshot.secrets.get(secret_id)
        if value is None and not stand_ins:
            step.outcome = FAILED
            step.message = (
                f"secrets.json holds no value for {secret_id} (a --redact snapshot, or one shared without "
                "it): staging would write placeholder text where a deploy reads the secret"
            )
            yield step
            continue
        if value is None:
            value = PLACEHOLDER.format(secret_id)
            step.message = "the snapshot has no secrets.json: staged the stand-in the rebuilt stacks hold"
        try:
            ssm(account, region).put_parameter(Name=name, Value=str(value), Type="String", Overwrite=True)
        except Exception as err:  # noqa: BLE001 - any failure of the runbook command fails the step
            step.outcome, step.message = FAILED, str(err).splitlines()[0] if str(err) else type(err).__name__
        else:
            step.outcome = OK
        yield step
