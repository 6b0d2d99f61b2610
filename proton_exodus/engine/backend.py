"""ProtonBackend: one Proton account and region; state and rules, never HTTP (skeleton being filled in)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from proton_exodus.engine.errors import InternalServerException

CloudFormationFactory = Callable[[str, str, "str | None"], Any]
S3Reader = Callable[[str, str], bytes]


class ProtonBackend:
    """Local Proton: one public method per operation, keyword arguments named as in the JSON body."""

    def __init__(self, account_id: str = "123456789012", region: str = "us-east-1", *, state_path: Path | None = None,
                 cloudformation: CloudFormationFactory | None = None, s3: S3Reader | None = None,
                 provisioning_root: Path | None = None, auto_complete: bool = True) -> None:
        self.account_id, self.region = account_id, region

    def run_pending(self) -> int:
        """Advance every queued deployment to its end state; returns how many ran."""
        return 0

    def close(self) -> None:
        """Stop the worker and close the state file."""

    def accept_environment_account_connection(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("AcceptEnvironmentAccountConnection is not implemented yet")

    def cancel_component_deployment(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CancelComponentDeployment is not implemented yet")

    def cancel_environment_deployment(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CancelEnvironmentDeployment is not implemented yet")

    def cancel_service_instance_deployment(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CancelServiceInstanceDeployment is not implemented yet")

    def cancel_service_pipeline_deployment(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CancelServicePipelineDeployment is not implemented yet")

    def create_component(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CreateComponent is not implemented yet")

    def create_environment(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CreateEnvironment is not implemented yet")

    def create_environment_account_connection(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CreateEnvironmentAccountConnection is not implemented yet")

    def create_environment_template(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CreateEnvironmentTemplate is not implemented yet")

    def create_environment_template_version(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CreateEnvironmentTemplateVersion is not implemented yet")

    def create_repository(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CreateRepository is not implemented yet")

    def create_service(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CreateService is not implemented yet")

    def create_service_instance(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CreateServiceInstance is not implemented yet")

    def create_service_sync_config(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CreateServiceSyncConfig is not implemented yet")

    def create_service_template(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CreateServiceTemplate is not implemented yet")

    def create_service_template_version(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CreateServiceTemplateVersion is not implemented yet")

    def create_template_sync_config(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("CreateTemplateSyncConfig is not implemented yet")

    def delete_component(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("DeleteComponent is not implemented yet")

    def delete_deployment(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("DeleteDeployment is not implemented yet")

    def delete_environment(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("DeleteEnvironment is not implemented yet")

    def delete_environment_account_connection(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("DeleteEnvironmentAccountConnection is not implemented yet")

    def delete_environment_template(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("DeleteEnvironmentTemplate is not implemented yet")

    def delete_environment_template_version(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("DeleteEnvironmentTemplateVersion is not implemented yet")

    def delete_repository(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("DeleteRepository is not implemented yet")

    def delete_service(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("DeleteService is not implemented yet")

    def delete_service_sync_config(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("DeleteServiceSyncConfig is not implemented yet")

    def delete_service_template(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("DeleteServiceTemplate is not implemented yet")

    def delete_service_template_version(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("DeleteServiceTemplateVersion is not implemented yet")

    def delete_template_sync_config(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("DeleteTemplateSyncConfig is not implemented yet")

    def get_account_settings(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetAccountSettings is not implemented yet")

    def get_component(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetComponent is not implemented yet")

    def get_deployment(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetDeployment is not implemented yet")

    def get_environment(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetEnvironment is not implemented yet")

    def get_environment_account_connection(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetEnvironmentAccountConnection is not implemented yet")

    def get_environment_template(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetEnvironmentTemplate is not implemented yet")

    def get_environment_template_version(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetEnvironmentTemplateVersion is not implemented yet")

    def get_repository(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetRepository is not implemented yet")

    def get_repository_sync_status(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetRepositorySyncStatus is not implemented yet")

    def get_resources_summary(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetResourcesSummary is not implemented yet")

    def get_service(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetService is not implemented yet")

    def get_service_instance(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetServiceInstance is not implemented yet")

    def get_service_instance_sync_status(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetServiceInstanceSyncStatus is not implemented yet")

    def get_service_sync_blocker_summary(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetServiceSyncBlockerSummary is not implemented yet")

    def get_service_sync_config(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetServiceSyncConfig is not implemented yet")

    def get_service_template(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetServiceTemplate is not implemented yet")

    def get_service_template_version(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetServiceTemplateVersion is not implemented yet")

    def get_template_sync_config(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetTemplateSyncConfig is not implemented yet")

    def get_template_sync_status(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("GetTemplateSyncStatus is not implemented yet")

    def list_component_outputs(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListComponentOutputs is not implemented yet")

    def list_component_provisioned_resources(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListComponentProvisionedResources is not implemented yet")

    def list_components(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListComponents is not implemented yet")

    def list_deployments(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListDeployments is not implemented yet")

    def list_environment_account_connections(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListEnvironmentAccountConnections is not implemented yet")

    def list_environment_outputs(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListEnvironmentOutputs is not implemented yet")

    def list_environment_provisioned_resources(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListEnvironmentProvisionedResources is not implemented yet")

    def list_environment_template_versions(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListEnvironmentTemplateVersions is not implemented yet")

    def list_environment_templates(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListEnvironmentTemplates is not implemented yet")

    def list_environments(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListEnvironments is not implemented yet")

    def list_repositories(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListRepositories is not implemented yet")

    def list_repository_sync_definitions(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListRepositorySyncDefinitions is not implemented yet")

    def list_service_instance_outputs(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListServiceInstanceOutputs is not implemented yet")

    def list_service_instance_provisioned_resources(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListServiceInstanceProvisionedResources is not implemented yet")

    def list_service_instances(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListServiceInstances is not implemented yet")

    def list_service_pipeline_outputs(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListServicePipelineOutputs is not implemented yet")

    def list_service_pipeline_provisioned_resources(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListServicePipelineProvisionedResources is not implemented yet")

    def list_service_template_versions(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListServiceTemplateVersions is not implemented yet")

    def list_service_templates(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListServiceTemplates is not implemented yet")

    def list_services(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListServices is not implemented yet")

    def list_tags_for_resource(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("ListTagsForResource is not implemented yet")

    def notify_resource_deployment_status_change(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("NotifyResourceDeploymentStatusChange is not implemented yet")

    def reject_environment_account_connection(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("RejectEnvironmentAccountConnection is not implemented yet")

    def tag_resource(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("TagResource is not implemented yet")

    def untag_resource(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("UntagResource is not implemented yet")

    def update_account_settings(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("UpdateAccountSettings is not implemented yet")

    def update_component(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("UpdateComponent is not implemented yet")

    def update_environment(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("UpdateEnvironment is not implemented yet")

    def update_environment_account_connection(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("UpdateEnvironmentAccountConnection is not implemented yet")

    def update_environment_template(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("UpdateEnvironmentTemplate is not implemented yet")

    def update_environment_template_version(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("UpdateEnvironmentTemplateVersion is not implemented yet")

    def update_service(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("UpdateService is not implemented yet")

    def update_service_instance(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("UpdateServiceInstance is not implemented yet")

    def update_service_pipeline(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("UpdateServicePipeline is not implemented yet")

    def update_service_sync_blocker(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("UpdateServiceSyncBlocker is not implemented yet")

    def update_service_sync_config(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("UpdateServiceSyncConfig is not implemented yet")

    def update_service_template(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("UpdateServiceTemplate is not implemented yet")

    def update_service_template_version(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("UpdateServiceTemplateVersion is not implemented yet")

    def update_template_sync_config(self, **kwargs: Any) -> dict[str, Any]:
        raise InternalServerException("UpdateTemplateSyncConfig is not implemented yet")
