"""The exception tree every library function raises, and the CLI's exit codes."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented exit codes of every `exodus` command."""

    OK = 0
    FINDINGS = 1  # checks ran and found something (diffs, replacements, blocking findings)
    BAD_INPUT = 2  # bad file, spec, option or usage; also "not implemented yet"
    AWS_ERROR = 3  # AWS or network: access denied, unreachable endpoint, throttled out
    INTERNAL = 70  # a bug in exodus; re-run with --debug
    INTERRUPTED = 130


class ExodusError(Exception):
    """Something the user can fix; `str(err)` is shown as-is, `hint` on the next line."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class BadInput(ExodusError):
    """A file, field or option is wrong: the message names it and says what is wrong."""


class BundleError(BadInput):
    """A template bundle breaks Proton's layout rules or limits."""


class SchemaError(BadInput):
    """A schema file is malformed, or a spec does not satisfy it."""


class RenderError(BadInput):
    """Jinja rendering failed, or the result is not a valid template."""


class SnapshotError(BadInput):
    """A snapshot directory is missing, malformed or from an incompatible version."""


class UnknownExporter(BadInput):
    """No exporter of that name; the hint lists the available ones."""


class NotImplementedYet(BadInput):
    """A command that exists in the CLI but whose library part is not written yet."""


class ConflictError(ExodusError):
    """The requested change conflicts with current state (wave order, existing output)."""


class AwsError(ExodusError):
    """AWS answered with an error or could not be reached."""

    exit_code = ExitCode.AWS_ERROR


class AwsAccessDenied(AwsError):
    """An AWS call was denied; the message names the action, Region and permission to add."""


class ProtonRetired(AwsError):
    """The Proton API answers as the retired service (after 7 Oct 2026)."""
