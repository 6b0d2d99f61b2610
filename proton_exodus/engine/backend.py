"""ProtonBackend: one Proton account and Region, with Proton's rules; state and provisioning, never HTTP.

One public method per Proton operation, named as boto3 names it, taking the JSON body's members as
keyword arguments and returning the output dict (timestamps as aware datetimes; lists complete and
unpaginated: the protocol layer pages them). Errors are `proton_exodus.engine.errors` classes.

Deviations from real Proton are listed in the mixins' docstrings and docs/engine-coverage.md.

The class is a chain of mixins, each inheriting the one below it (so a mixin may call those below);
the MRO runs top to bottom:

    mixin (module)                     owns
    TaggingMixin (tagging.py)          tags on every ARN, ARN resolution, the resources summary,
                                       NotifyResourceDeploymentStatusChange
    AccountsMixin (accounts.py)        account settings, repositories, template/service sync configs,
                                       sync status and sync blockers
    ComponentsMixin (components.py)    directly defined components
    InstancesMixin (instances.py)      service instances
    ServicesMixin (services.py)        services and their pipelines
    ConnectionsMixin (connections.py)  environment account connections
    EnvironmentsMixin (environments.py) environments, their roles and provisioning folders
    RenderingMixin (rendering.py)      template version registration, spec inputs, render contexts
    ProvisionMixin (provision.py)      jobs -> plans -> CloudFormation/repository, stack names, outputs
    DeploymentsMixin (deployments.py)  deployment records, the job queue, the worker, cancellation
    TemplatesMixin (templates.py)      environment and service templates and their versions
    EngineCore (core.py)               the store, clock, ids, ARNs, quotas, idempotency, `@operation`

Routing between backends (one per account and Region) is `engine.routing`'s; HTTP is `engine.protocol`'s.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from proton_exodus.engine.tagging import TaggingMixin

CloudFormationFactory = Callable[[str, str, "str | None"], Any]  # (account_id, region, role_arn) -> client
S3Reader = Callable[[str, str], bytes]  # (bucket, key) -> bundle bytes


class ProtonBackend(TaggingMixin):
    """Local Proton. `auto_complete=False` leaves deployments queued until `run_pending()`."""

    def __init__(
        self,
        account_id: str = "123456789012",
        region: str = "us-east-1",
        *,
        state_path: Path | None = None,
        cloudformation: CloudFormationFactory | None = None,
        s3: S3Reader | None = None,
        provisioning_root: Path | None = None,
        auto_complete: bool = True,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
        quotas: dict[str, int] | None = None,
        complete_delay: float = 0.2,
        cfn_poll: float = 0.5,
    ) -> None:
        super().__init__(account_id, region, state_path, seed=seed, clock=clock, quotas=quotas)
        self._cfn_factory = cloudformation or default_cloudformation_factory(account_id)
        self.s3_reader = s3
        # Self-managed/CodeBuild working folders (Proton's pull requests) go beside the state file, or
        # into a private temporary folder: never into the caller's current directory.
        if provisioning_root is None:
            provisioning_root = (
                Path(state_path).with_suffix(".provisioning")
                if state_path
                else Path(tempfile.mkdtemp(prefix="exodus-provisioning-"))
            )
        self.provisioning_root = provisioning_root
        self.auto_complete = auto_complete
        self.complete_delay = complete_delay
        self.cfn_poll = cfn_poll
        self._clients: dict[tuple[str, str, str | None], Any] = {}
        self._start_worker()
        if self.store.keys("job"):
            self._wake_worker()  # resume what was queued when the state was saved

    def cloudformation(self, account_id: str, region: str, role_arn: str | None) -> Any:
        """A cached CloudFormation client for the account that holds the stack."""
        key = (account_id, region, role_arn)
        if key not in self._clients:
            self._clients[key] = self._cfn_factory(account_id, region, role_arn)
        return self._clients[key]

    def resources_on_version(self, kind: str, template: str, major: str, minor: str) -> list[str]:
        """ARNs of environments, instances and pipelines deployed on a template version."""
        kinds = ("environment",) if kind == "environment" else ("instance", "pipeline")
        return [
            doc["arn"]
            for k in kinds
            for doc in self.store.values(k)
            if (doc["templateName"], doc["templateMajorVersion"], doc["templateMinorVersion"])
            == (template, major, minor)
        ]

    def close(self) -> None:
        """Stop the worker and close the state file (queued jobs stay queued in the file)."""
        self._stop_worker()
        self.store.close()

    def __enter__(self) -> ProtonBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def default_cloudformation_factory(management_account: str) -> CloudFormationFactory:
    """boto3's default credentials for the management account; an assumed role for other accounts."""

    def factory(account_id: str, region: str, role_arn: str | None) -> Any:
        import boto3

        if account_id == management_account or not role_arn:
            return boto3.client("cloudformation", region_name=region)
        creds = boto3.client("sts", region_name=region).assume_role(
            RoleArn=role_arn, RoleSessionName="AWSProton"
        )["Credentials"]
        return boto3.client(
            "cloudformation",
            region_name=region,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )

    return factory
