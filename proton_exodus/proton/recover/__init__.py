"""Recover what Proton knew from what it left behind: which template version and which inputs
reproduce a deployed CloudFormation template (issue 14, after Proton's end of support)."""

from proton_exodus.proton.recover.align import normalise_template, same_template
from proton_exodus.proton.recover.solver import RecoveryResult, Slot, solve_slots
from proton_exodus.proton.recover.versions import (
    Candidate,
    recover_environment,
    recover_pipeline,
    recover_service_instance,
)

__all__ = [
    "Candidate",
    "RecoveryResult",
    "Slot",
    "normalise_template",
    "recover_environment",
    "recover_pipeline",
    "recover_service_instance",
    "same_template",
    "solve_slots",
]
