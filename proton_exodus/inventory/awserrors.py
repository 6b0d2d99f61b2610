"""The one place botocore errors become exodus errors (STYLE.md §5): access denied names the action,
Region and permission to add; network failures become AwsError; a retired Proton becomes ProtonRetired."""

from __future__ import annotations

from proton_exodus.errors import AwsAccessDenied, AwsError, ExodusError, ProtonRetired

# Error codes that mean "this API no longer exists here" rather than "this call is wrong".
RETIRED_CODES = frozenset(
    {
        "UnknownOperationException",
        "UnknownOperation",
        "InvalidAction",
        "ServiceRetired",
        "ServiceUnavailableException",
        "EndOfSupport",
        "ServiceDeprecated",
        "GoneException",
        "UnrecognizedOperation",
        "404",
        "410",
        "NotFound",
    }
)
# Proton's modelled errors (PROTON.md §6.2): an answer from a live service, whatever its HTTP status.
MODELLED_CODES = frozenset(
    {
        "ValidationException",
        "AccessDeniedException",
        "ConflictException",
        "ResourceNotFoundException",
        "ServiceQuotaExceededException",
        "ThrottlingException",
        "InternalServerException",
    }
)
RETIRED_MARKERS = (
    "no longer available",
    "no longer accepting",
    "end of support",
    "support ended",
    "only available for existing customers",
    "has been retired",
    "discontinued",
)
ACCESS_DENIED_CODES = frozenset(
    {
        "AccessDeniedException",
        "AccessDenied",
        "UnauthorizedOperation",
        "UnauthorizedException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredTokenException",
        "ExpiredToken",
    }
)
SERVICE_PREFIX = {
    "proton": "proton",
    "cloudformation": "cloudformation",
    "sts": "sts",
    "s3": "s3",
    "organizations": "organizations",
}


def error_code(err: BaseException) -> str:
    """The AWS error code of a ClientError, or '' for anything else."""
    response = getattr(err, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", "") or "")
    return ""


def http_status(err: BaseException) -> int:
    response = getattr(err, "response", None)
    if isinstance(response, dict):
        return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    return 0


def is_not_found(err: BaseException) -> bool:
    """A modelled 'no such resource' answer (not a missing endpoint)."""
    return error_code(err) in ("ResourceNotFoundException", "NotFoundException", "ValidationError") and (
        error_code(err) != "ValidationError" or "does not exist" in str(err)
    )


def is_retired(err: BaseException) -> bool:
    """Whether a Proton error says the service itself is gone (end of support, 7 Oct 2026).

    Retired AWS APIs that still resolve answer AccessDenied/Forbidden with a sentence saying so
    (see proton_exodus/engine/server.py); removed ones answer unknown-operation or 404/410.
    """
    code = error_code(err)
    response = getattr(err, "response", None) or {}
    message = str(response.get("Error", {}).get("Message", "")) if code else str(err)
    marked = any(marker in message.lower() for marker in RETIRED_MARKERS)
    if code in ("AccessDeniedException", "ForbiddenException"):
        return marked
    if code in MODELLED_CODES:
        return False
    return code in RETIRED_CODES or http_status(err) in (404, 410) or marked


def _permission(service: str, operation: str) -> str:
    return f"{SERVICE_PREFIX.get(service, service)}:{operation}"


def translate(
    err: BaseException, *, service: str, operation: str, region: str, account: str = ""
) -> ExodusError:
    """Turn a botocore/boto3 exception into the ExodusError the CLI prints as one line."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
    )

    where = f"in {region}" + (f" (account {account})" if account else "")
    if isinstance(err, ClientError):
        code = error_code(err)
        message = err.response.get("Error", {}).get("Message", "") or str(err)
        if service == "proton" and is_retired(err):
            return ProtonRetired(
                f"The AWS Proton API {where} answers as a retired service ({code}: {message})",
                hint="Proton reached end of support; rebuild the snapshot from the stacks with "
                "`exodus inventory --source stacks`.",
            )
        if code in ACCESS_DENIED_CODES:
            return AwsAccessDenied(
                f"{operation} was denied {where}: {message}",
                hint=f"Add `{_permission(service, operation)}` to the policy of the identity exodus runs as "
                "(`exodus iam-policy` prints the whole read-only policy).",
            )
        return AwsError(f"{service} {operation} failed {where}: {code}: {message}")
    if isinstance(err, EndpointConnectionError):
        hint = "Check the network, the Region and --endpoint-url."
        if service == "proton" and "amazonaws.com" in str(err):
            hint += (
                " If AWS Proton no longer resolves (end of support, 7 Oct 2026), rebuild the snapshot "
                "from the stacks with `exodus inventory --source stacks`."
            )
        return AwsError(f"Could not reach {service} {where}: {err}", hint=hint)
    if isinstance(err, NoCredentialsError):
        return AwsError(
            "No AWS credentials found", hint="Pass --profile, or set AWS_PROFILE / AWS_ACCESS_KEY_ID."
        )
    if isinstance(err, NoRegionError):
        return AwsError("No AWS Region given", hint="Pass --region.")
    if isinstance(err, BotoCoreError):
        return AwsError(f"{service} {operation} failed {where}: {err}")
    if isinstance(err, ExodusError):
        return err
    return AwsError(f"{service} {operation} failed {where}: {type(err).__name__}: {err}")


def describe(err: BaseException) -> str:
    """A short reason for records marked unreachable (code and message, no traceback)."""
    code = error_code(err)
    if code:
        message = err.response.get("Error", {}).get("Message", "")  # type: ignore[attr-defined]
        return f"{code}: {message}".strip().rstrip(":")
    return f"{type(err).__name__}: {err}"
