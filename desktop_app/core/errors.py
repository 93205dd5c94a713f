"""One exception tree for the whole app. Every error carries a short, user-facing message.

    TempInboxError
    ├── ApiError                     a mail.tm-compatible service answered badly or not at all
    │   ├── NetworkError             no connection, DNS failure, timeout
    │   │   └── ProviderNotRunningError  this computer's server does not run here: not asked
    │   ├── ServerError              5xx after the bounded retries
    │   ├── RateLimitedError         429 after the bounded retries
    │   ├── AuthError                401: missing/invalid token
    │   │   ├── InvalidCredentialsError   wrong address or password on /token
    │   │   ├── AccountGoneError          still 401 after one silent re-login
    │   │   ├── AddressNotRecoveredError  a half-created address exists but refuses the saved password
    │   │   └── DeletionUnconfirmedError  an automatic deletion's login refused: tried again
    │   ├── NotFoundError            404
    │   ├── ValidationError          400/422 with violations
    │   │   └── AddressTakenError    422 "address: This value is already used."
    │   ├── UnsupportedMediaError    415
    │   └── ProtocolError            malformed JSON or a payload we cannot read
    ├── StoreError                   the local cache cannot be read or written
    │   └── EmptyCacheError          the cache file exists but is 0 bytes (truncated)
    ├── SecretsError                 the OS keyring failed
    │   ├── KeyringUnavailableError  no usable keyring backend at all
    │   └── PasswordMissingError     no password saved for an address
    ├── UsageError                   bad input from the user (command line, dialogs, import files)
    ├── LocalServerError             the mail server on this computer could not start
    └── WaitStoppedError             a wait for mail was stopped in the window ("Stop waiting")

User-facing text lives here and only here: ``str(error)`` is what the user sees; technical detail
goes into ``error.detail`` for logs. ``user_text`` turns any exception into that text.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


class TempInboxError(Exception):
    """Base of every error the app raises on purpose."""

    default_message = "Something went wrong."

    def __init__(self, message: str | None = None, *, detail: str = "") -> None:
        self.message = message or self.default_message
        self.detail = detail
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class ApiError(TempInboxError):
    default_message = "The mail service answered with an error."

    def __init__(self, message: str | None = None, *, status: int | None = None, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.status = status


class NetworkError(ApiError):
    default_message = "Cannot reach the mail service. Check your connection; Temp Inbox will keep trying."


class ServerError(ApiError):
    default_message = "The mail service is having trouble right now (server error). Try again in a moment."


class RateLimitedError(ApiError):
    default_message = "The mail service is limiting requests. Wait a few seconds and try again."


class AuthError(ApiError):
    default_message = "The mail service refused the login for this address."


class InvalidCredentialsError(AuthError):
    default_message = "Wrong address or password."


class AccountGoneError(AuthError):
    default_message = "This address no longer exists or its password is wrong."


class AddressNotRecoveredError(AuthError):
    default_message = (
        "This address exists on the mail service but does not accept the saved password; "
        "someone else may own it now. The saved password is kept."
    )


class DeletionUnconfirmedError(AuthError):
    """An automatic deletion whose login was refused: the account may be gone, or its password was
    changed elsewhere. Tried again, never taken as "deleted on the service"."""

    default_message = (
        "The mail service refused the saved password, so the address could not be deleted there (it "
        "may be gone already). Delete it yourself to remove it here only."
    )


class NotFoundError(ApiError):
    default_message = "That item no longer exists on the mail service."


class ValidationError(ApiError):
    default_message = "The mail service did not accept this input."

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        detail: str = "",
        violations: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message, status=status, detail=detail)
        self.violations = violations or []


class AddressTakenError(ValidationError):
    default_message = "This address is already taken. Pick another name."


class UnsupportedMediaError(ApiError):
    default_message = "The mail service did not understand the request format."


class ProtocolError(ApiError):
    default_message = "The mail service sent a reply Temp Inbox cannot read."


class StoreError(TempInboxError):
    default_message = "The local mail cache cannot be read or written."


class EmptyCacheError(StoreError):
    default_message = (
        "The local mail cache file is empty (0 bytes), so it was damaged or truncated. "
        "Temp Inbox did not replace it. Move the file away (or restore it from a backup) and start again."
    )


class SecretsError(TempInboxError):
    default_message = "The system keyring could not store or read a password."


class KeyringUnavailableError(SecretsError):
    default_message = (
        "No system keyring is available, so passwords cannot be saved. "
        "You can keep new addresses for this session only; they will be lost when Temp Inbox quits."
    )


class PasswordMissingError(SecretsError):
    default_message = (
        "No password is saved for this address, so it cannot be opened. Log in again with its password."
    )


class UsageError(TempInboxError):
    default_message = "That input is not valid."


class ProviderNotRunningError(NetworkError):
    """An address on this computer's server while that server does not run here: the URL kept is an
    earlier run's port, and whatever answers there now is not it (its "no such account" would pass for
    "already deleted"). Nothing is asked of it."""

    default_message = (
        "The mail server on this computer is not running, so this address cannot be reached on it now."
    )

    @classmethod
    def not_deleted(cls, could_not_start: bool, detail: str = "") -> ProviderNotRunningError:
        """A Delete (the user's, or at the address's expiry) that was not even tried: the address, its
        password and its mail are all kept."""
        why = "could not start" if could_not_start else "is not running"
        return cls(
            f"The mail server on this computer {why}, so the address was not deleted: it is kept with "
            "its password and its mail.",
            detail=detail,
        )


class KeyringUnreadableError(SecretsError):
    """The keyring could not be read for a deletion: retried, never taken as "no password"."""

    default_message = (
        "The system keyring cannot be read now, so the address cannot be logged in to and deleted on "
        "the mail service yet."
    )


class ExpiryCancelledError(TempInboxError):
    """An automatic deletion called off before the remote DELETE: the user kept the address (or gave
    it a later expiry) while the deletion was starting."""

    default_message = "The address was kept, so it was not deleted."


class LocalServerError(TempInboxError):
    default_message = "The mail server on this computer could not start. Details are in the log."

    @classmethod
    def data_folder(cls, folder: object, exc: OSError) -> LocalServerError:
        """Its data folder cannot be made or written (a file in its place, a read-only disk)."""
        return cls(
            f"The mail server on this computer could not start: its data folder {folder} cannot be used "
            f"({exc.strerror or exc}). Check that it is a folder Temp Inbox may write to.",
            detail=repr(exc),
        )


class WaitStoppedError(TempInboxError):
    default_message = "The wait for mail was stopped in the Temp Inbox window."


def user_text(exc: BaseException) -> str:
    """What the user reads for ``exc``: ours say it themselves; a bug is logged, not shown."""
    if isinstance(exc, TempInboxError):
        return str(exc)
    log.error("unexpected error", exc_info=exc)
    return "Something went wrong; details are in the log."
