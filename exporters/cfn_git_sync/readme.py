"""README.md (the hand-over, step by step) and TEMPLATES.md (which path each Proton template took)
of a `cfn-git-sync` export."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from exporters import Finding
from proton_exodus.model.units import DeploymentUnit
from proton_exodus.translate.stacks import PARAMETERISED, StackTemplate

_README = """# CloudFormation Git sync for the former AWS Proton stacks

Written by `exodus export --target cfn-git-sync`. Every stack below keeps its name and its resources:
nothing is recreated. Git sync adopts each existing `AWSProton-...` stack in place.

- stacks: {stacks} ({synced} ready for a sync configuration, {blocked} blocked: see MANUAL_TASKS.md)
- templates: {shared} shared parameterised file(s) serve {param_stacks} stack(s); {deployed} stack(s) keep \
the template exactly as deployed (TEMPLATES.md says why)

## Layout

- `templates/<environment|service|component>/<template>/v<major>/` - \
templates per Proton template major version:
  `environment.yaml` / `instance.yaml` / `pipeline.yaml` are shared, parameterised templates;
  `stacks/<StackName>.yaml` is one stack's template as deployed.
- `deployments/<account>/<region>/<StackName>.yaml` - one Git sync stack deployment file per stack
  (`template-file-path` from the repository root, `parameters`, `tags`).
- `bootstrap/<account>/<region>/` - `git-sync-role.yaml` (the sync role trusted by
  `cloudformation.sync.codeconnections.amazonaws.com`, with the documented permissions, and the
  repository link), `sync-configurations-NNN.yaml` (one `AWS::CodeStarConnections::SyncConfiguration`
  per stack, 100 per file) and `commands.sh` (the same with the `aws codeconnections` CLI).
- `TEMPLATES.md`, `MANUAL_TASKS.md`, `.exodus/manifest.json` (what exodus wrote; re-runs keep your edits).

## Why a parameterised template is safe, and how it is proven

Where Proton's Jinja only substituted values into a template, those values became CloudFormation
`Parameters` and each stack's values are in its deployment file, so one template serves many stacks.
Adding `Parameters` is itself a template change: the text CloudFormation holds will differ. What must
not differ is the template CloudFormation *resolves*: `exodus verify` substitutes every deployment-file
parameter into the exported template and compares the result, resource by resource, with the deployed
template (cfn-flip normalised). exodus already checked this while exporting; any stack it could not
prove kept its deployed template. The real gate is CloudFormation itself: `exodus verify --change-set`
creates a change set per stack with the exported template and parameters, fails on any
`Replacement: True` or `Remove`, and deletes the change set. Do not attach Git sync before it passes.
To export every stack's template exactly as deployed instead, use `--opt parameterise=false`.

Tags: each deployment file carries the stack's current tags exactly (the `proton:*` tags included) and
adds none: a stack tag propagates to every taggable resource, so a new one would change them all. What
exodus wrote is recorded in `.exodus/manifest.json` and this README instead.

Secrets: sensitive inputs are never written in clear, nor as snapshot placeholders. {secrets_note}
PLANNED_CHANGES.md lists every resource the first sync changes on purpose (none by default);
`exodus verify` fails on any other change.

## The safe hand-over sequence (per wave of stacks)

1. Check status: Git sync attaches only to stacks in `CREATE_COMPLETE`, `UPDATE_COMPLETE`,
   `UPDATE_ROLLBACK_COMPLETE`, `IMPORT_COMPLETE` or `IMPORT_ROLLBACK_COMPLETE`, named with at most 100
   characters of `[0-9A-Za-z_-]`. Others are listed in MANUAL_TASKS.md and left out of the bootstrap.
2. Freeze Proton-side updates of these stacks (Proton can redeploy them until 2026-10-07).
3. Push this repository to the branch Git sync will watch ({branch}).
4. Stage the secrets (commands above), then `exodus verify --snapshot SNAPSHOT --export .` must report
   no unplanned difference.
5. `exodus verify --snapshot SNAPSHOT --export . --change-set` (with credentials for the account) must
   report no replacement and no removal.
6. In every account, with that account's credentials (AWS CLI profile `exodus-<account>`; a sync
   configuration made in another account would make Git sync create a second copy of the stack there):
   create the connection (finish the handshake in the console so it is `AVAILABLE`), deploy
   `bootstrap/<account>/<region>/git-sync-role.yaml` with `ConnectionArn`, `OwnerId` and `RepositoryName`
   (it creates the sync role and the repository link, once), then the `sync-configurations-*.yaml`
   stacks with its `RoleArn` and `RepositoryLinkId` outputs (or run `commands.sh`, which does all of it).
7. Watch the first sync in the Git sync dashboard; from then on a merge deploys (there is no manual
   execute step; pull-request comments are previews only). Resolve any sync blocker before merging more.

Service pipelines: their build steps called the retired Proton API (`aws proton update-service-instance`,
`wait service-instance-deployed`, IAM `proton:*`), which fails today. Their templates here have those
steps rewritten as direct change-set deploys of the instance stacks (the same rewrite as the codepipeline
and github-actions exports; MANUAL_TASKS.md lists each one, and the file and line of any step left to
rewrite by hand), so the first sync updates each pipeline stack: a planned change.

Git sync is available in 17 Regions and for GitHub, GitHub Enterprise, GitLab (incl. self-managed)
and Bitbucket. The deployment file has no key for capabilities, a service role or a stack policy:
a stack's existing service role (`RoleARN`) stays in use. See {docs}.
"""


def readme(
    stacks: Sequence[StackTemplate],
    synced: Sequence[tuple[DeploymentUnit, str]],
    opts: Mapping[str, str],
    findings: Sequence[Finding],
) -> str:
    """The README of the exported repository."""
    shared = {
        (st.unit.template_name, st.unit.template_major, st.unit.kind, st.key)
        for st in stacks
        if st.path == PARAMETERISED
    }
    param_stacks = sum(1 for st in stacks if st.path == PARAMETERISED)
    return _README.format(
        stacks=len(stacks),
        synced=len(synced),
        blocked=len(stacks) - len(synced),
        shared=len(shared),
        param_stacks=param_stacks,
        deployed=len(stacks) - param_stacks,
        secrets_note=secrets_note(stacks, opts),
        branch=opts.get("branch", "main"),
        docs="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/git-sync.html",
    )


def secrets_note(stacks: Sequence[StackTemplate], opts: Mapping[str, str]) -> str:
    """The README's secrets paragraph: the choice made, and the commands that stage each value."""
    from proton_exodus.model.secrets import SSM_TYPES_DOC

    if opts.get("secrets", "ssm-parameter") == "dynamic-reference":
        return (
            "They are Secrets Manager dynamic references (`{{resolve:secretsmanager:exodus/<StackName>/"
            "<input>}}`): create each secret listed in MANUAL_TASKS.md (values are in the snapshot's "
            "`secrets.json`) before the first sync. CloudFormation compares a dynamic reference as text, "
            "never its value, so each property that held the literal changes on the first sync (a "
            "replacement where the property is create-only, e.g. an ECS task definition's "
            "`ContainerDefinitions`): PLANNED_CHANGES.md names each one."
        )
    from proton_exodus.verify.planned import stage_commands

    staged = [(st.unit.account, st.unit.region, p) for st in stacks for p in st.secret_parameters]
    text = (
        "Each one is a template parameter of type `AWS::SSM::Parameter::Value<String>` whose value "
        "in the deployment file is a Parameter Store name (`/exodus/<StackName>/<input>`). "
        "CloudFormation resolves such a parameter when it computes a change set, so with the staged "
        "value equal to the deployed literal the first sync changes no resource. SSM parameter types "
        "read `String` parameters, not `SecureString` (" + SSM_TYPES_DOC + "): the value is staged as "
        "a `String`, out of Git, readable by anyone allowed to read Parameter Store in the account, "
        "and shown resolved by `describe-stacks`. Move it to Secrets Manager later, as a planned "
        "change (`--secrets dynamic-reference`). Stage each value before the first sync, with "
        "credentials for the stack's account, reading it from the snapshot (never pasting it):"
    )
    if not staged:
        return text.split(" Stage each value")[0] + " This export has none to stage."
    return text + "\n\n```sh\n" + "\n".join(stage_commands(staged)) + "\n```"
