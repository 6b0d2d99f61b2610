"""`exodus rehearse`: run a plan wave by wave on the local cloud with Proton retired, and prove each step
(model: what a step records; changeset: change sets as deployers use them; estate: rebuilding the stacks
from a snapshot; planned: PLANNED_CHANGES.json; run: the orchestration; report: REHEARSAL.md/json)."""
