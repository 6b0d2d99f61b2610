"""botocore errors become one-line exodus errors: the action, Region and permission to add."""

from __future__ import annotations

from botocore.exceptions import ClientError, EndpointConnectionError

from proton_exodus.errors import AwsAccessDenied, AwsError, ExitCode, ProtonRetired
from proton_exodus.inventory.awserrors import is_not_found, is_retired, translate


def _err(code: str, message: str = "m", status: int = 400, op: str = "ListEnvironments") -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, op
    )


def test_access_denied_names_action_region_and_permission() -> None:
    err = translate(
        _err("AccessDeniedException", "User: x is not authorized"),
        service="proton",
        operation="ListEnvironments",
        region="eu-west-1",
        account="111111111111",
    )
    assert isinstance(err, AwsAccessDenied) and err.exit_code == ExitCode.AWS_ERROR
    assert "ListEnvironments" in err.message and "eu-west-1" in err.message and "111111111111" in err.message
    assert "proton:ListEnvironments" in (err.hint or "")


def test_retired_service_answers() -> None:
    retired = _err(
        "AccessDeniedException", "AWS Proton is no longer available: support ended on October 7, 2026"
    )
    assert is_retired(retired) and is_retired(_err("UnknownOperationException"))
    assert is_retired(_err("Whatever", status=404))
    assert not is_retired(_err("ResourceNotFoundException", status=404))  # a live service's answer
    assert not is_retired(_err("AccessDeniedException", "not authorized"))
    err = translate(retired, service="proton", operation="ListEnvironments", region="us-east-1")
    assert isinstance(err, ProtonRetired) and "--source stacks" in (err.hint or "")


def test_connection_errors_are_aws_errors() -> None:
    err = translate(
        EndpointConnectionError(endpoint_url="https://proton.us-east-1.amazonaws.com/"),
        service="proton",
        operation="ListEnvironments",
        region="us-east-1",
    )
    assert type(err) is AwsError and err.exit_code == ExitCode.AWS_ERROR
    assert "--source stacks" in (err.hint or "")


def test_other_client_errors_and_not_found() -> None:
    err = translate(_err("ValidationException", "bad"), service="proton", operation="GetService", region="r")
    assert type(err) is AwsError and "ValidationException: bad" in err.message
    assert is_not_found(_err("ResourceNotFoundException"))
    assert is_not_found(_err("ValidationError", "Stack with id x does not exist"))
    assert not is_not_found(_err("ValidationError", "Template format error"))
