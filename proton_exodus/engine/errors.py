"""Proton's modelled errors (PROTON.md §6.2): the engine raises these, the protocol layer serialises them."""

from __future__ import annotations


class ProtonApiError(Exception):
    """An error Proton answers with: `code` is the `__type`, `http_status` 400 for client errors,
    500 internal."""

    code = "InternalServerException"
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ValidationException(ProtonApiError):
    code = "ValidationException"


class ConflictException(ProtonApiError):
    code = "ConflictException"


class ResourceNotFoundException(ProtonApiError):
    code = "ResourceNotFoundException"


class ServiceQuotaExceededException(ProtonApiError):
    code = "ServiceQuotaExceededException"


class AccessDeniedException(ProtonApiError):
    code = "AccessDeniedException"


class ThrottlingException(ProtonApiError):
    code = "ThrottlingException"


class InternalServerException(ProtonApiError):
    code = "InternalServerException"
    http_status = 500


ERRORS: dict[str, type[ProtonApiError]] = {
    cls.code: cls
    for cls in (
        ValidationException,
        ConflictException,
        ResourceNotFoundException,
        ServiceQuotaExceededException,
        AccessDeniedException,
        ThrottlingException,
        InternalServerException,
    )
}
