"""What the running instance does for a command from a later launch (see ``instance/ipc.py``).

Over 300 lines: one short ``_cmd_`` handler per command, found by name by ``handle``; what each does
is the Inbox's, so a handler only turns arguments into a call and its outcome into an answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject

from desktop_app.core import errors
from desktop_app.core.accounts import ExportReport, ImportReport
from desktop_app.core.api.providers import format_smtp
from desktop_app.core.errors import user_text
from desktop_app.core.health import CheckResult
from desktop_app.core.inbox import ArrivedMessage, Inbox
from desktop_app.core.lifetime import describe_expiry, exact_expiry, parse_lifetime, parse_moment
from desktop_app.core.store import StoredAddress
from desktop_app.core.tasks import NamedTasks, spawn_reported
from desktop_app.instance.ipc import Reply
from desktop_app.ui.address_feedback import copy_address, report_new_address
from desktop_app.ui.controller import AppSignals

log = logging.getLogger(__name__)
T = TypeVar("T")


def _file_argument(args: dict[str, Any]) -> Path:
    """The command's file: absolute, since the instance's working directory is not the command's."""
    path = Path(str(args.get("file") or ""))
    if not path.is_absolute():
        raise errors.UsageError(f"The file must be given as an absolute path, not {str(path)!r}.")
    return path


class InstanceCommands(QObject):
    def __init__(
        self,
        inbox: Inbox,
        signals: AppSignals,
        *,
        raise_window: Callable[[], None],
        quit_app: Callable[[], None],
        info: Callable[[], dict[str, Any]],
        # Only with TEMP_INBOX_DEBUG_IPC=1 (settings.Environment): the end-to-end tests read the screen.
        debug_state: Callable[[Callable[[dict[str, Any]], None]], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.inbox = inbox
        self.signals = signals
        self._raise_window = raise_window
        self._quit_app = quit_app
        self._info = info
        self._debug_state = debug_state
        self.tasks = NamedTasks("instance commands")
        self._requests = 0

    def handle(self, command: str, args: dict[str, Any], reply: Reply) -> None:
        handler = getattr(self, f"_cmd_{command.replace('-', '_')}", None)
        if handler is None:
            reply.fail(f"Unknown command {command!r}.")
            return
        try:
            handler(args, reply)
        except Exception as exc:  # a later launch must get an answer, never hang on a bug
            reply.fail(user_text(exc))

    def _spawn(
        self, name: str, coro: Coroutine[Any, Any, T], reply: Reply, on_ok: Callable[[T], None]
    ) -> None:
        # One task per request: two `wait`s (or `new`s) at once are two requests with their own arguments.
        self._requests += 1

        def failed(exc: BaseException) -> None:
            if isinstance(exc, TimeoutError):
                answer: dict[str, Any] = {
                    "ok": False,
                    "error": "No matching message arrived in time.",
                    "timeout": True,
                }
                report = getattr(exc, "report", None)
                if report is not None:
                    answer["check"] = report.as_dict()
                reply.send(answer)
            else:
                reply.fail(user_text(exc))

        task = spawn_reported(
            self.tasks,
            f"{name} #{self._requests}",
            coro,
            on_ok=on_ok,
            on_error=failed,
            # Shutdown (a client that went away is no longer listening: the reply is then a no-op).
            on_cancelled=lambda: reply.fail("Temp Inbox quit before this finished."),
        )

        def client_went_away() -> None:
            task.cancel()

        reply.cancelled = client_went_away

    # -- commands ---------------------------------------------------------------------------------

    def _cmd_activate(self, args: dict[str, Any], reply: Reply) -> None:
        self._raise_window()
        reply.ok()

    def _cmd_show(self, args: dict[str, Any], reply: Reply) -> None:
        message_id = str(args.get("message_id", ""))
        address = self.inbox.message_address(message_id)
        if address is None:
            reply.fail(f"No message with id {message_id} in the cache.")
            return
        self._raise_window()
        self.signals.show_message_requested.emit(address, message_id)
        reply.ok()

    def _cmd_copy(self, args: dict[str, Any], reply: Reply) -> None:
        address = self.inbox.current_address
        if address is None:
            reply.fail("There is no address yet. Create one with 'temp-inbox new'.")
            return
        copy_address(self.signals, address)
        reply.ok(address=address)

    def _provider_name(self, provider_id: str) -> str:
        return next((p.name for p in self.inbox.providers() if p.id == provider_id), provider_id)

    def _cmd_list(self, args: dict[str, Any], reply: Reply) -> None:
        reply.ok(addresses=[row.as_listing() for row in self.inbox.address_rows()])

    def _expiry(self, record: StoredAddress) -> dict[str, Any]:
        when = record.expires_at
        return {
            "expires": when.isoformat() if when else None,
            "expiry": describe_expiry(when, self.inbox.now()) if when else "",
            "expires_exact": exact_expiry(when) if when else "",
        }

    def _cmd_new(self, args: dict[str, Any], reply: Reply) -> None:
        session_only = bool(args.get("session_only"))
        lifetime = parse_lifetime(str(args["expires"])) if args.get("expires") else None
        if not session_only and not self.inbox.can_keep_passwords():
            raise errors.KeyringUnavailableError(
                errors.KeyringUnavailableError.default_message
                + " Run 'temp-inbox new --session-only' to create one anyway."
            )

        def created(record: StoredAddress) -> None:
            report_new_address(self.signals, record.address, self.signals.show_address_requested)
            reply.ok(
                address={
                    "address": record.address,
                    "id": record.account_id,
                    "provider": self._provider_name(record.provider_id),
                    "label": record.label,
                    "session_only": record.state.value == "session-only",
                    **self._expiry(record),
                }
            )

        async def create() -> Any:
            wanted = args.get("provider")
            provider = await self.inbox.provider_for(str(wanted)) if wanted else None
            return await self.inbox.create_address(
                args.get("name"),
                args.get("domain"),
                session_only=session_only,
                provider=provider,
                expires_in=lifetime,
            )

        self._spawn("new", create(), reply, created)

    def _cmd_expire(self, args: dict[str, Any], reply: Reply) -> None:
        address = str(args.get("address") or "")
        if args.get("at"):
            record = self.inbox.set_expiry(address, parse_moment(str(args["at"]), self.inbox.now()))
        else:
            record = self.inbox.set_lifetime(address, parse_lifetime(str(args.get("lifetime") or "")))
        self.signals.addresses_changed.emit()
        reply.ok(address=record.address, **self._expiry(record))

    def _cmd_providers(self, args: dict[str, Any], reply: Reply) -> None:
        action = args.get("action") or "list"

        def listed() -> None:
            used = {r.provider_id for r in self.inbox.addresses()}
            reply.ok(
                providers=[
                    {
                        "id": p.id,
                        "name": p.name,
                        "api": p.api_url,
                        "hub": p.hub_url,
                        "smtp": format_smtp(p.smtp) or None,
                        "default": p.id == self.inbox.provider.id,
                        "in_use": p.id in used,
                        # This computer's server before it first runs here: its URL is not known yet.
                        "starts_when_used": self.inbox.starts_on_demand(p.id),
                    }
                    for p in self.inbox.providers()
                ]
            )

        if action == "list":
            listed()
        elif action == "add":
            url = args.get("url")
            if not url:
                raise errors.UsageError("Give the service's API URL: temp-inbox providers add URL.")
            self._spawn(
                "providers add",
                self.inbox.add_provider(str(url), args.get("hub"), args.get("name"), args.get("smtp")),
                reply,
                lambda _p: listed(),
            )
        elif action == "remove":
            self.inbox.remove_provider(str(args.get("url") or ""))
            listed()
        else:
            raise errors.UsageError(f"Unknown providers action {action!r}: list, add or remove.")

    def _cmd_wait(self, args: dict[str, Any], reply: Reply) -> None:
        timeout = args.get("timeout")
        try:
            seconds = float(timeout) if timeout is not None else None
        except (TypeError, ValueError):
            raise errors.UsageError(f"The timeout must be a number of seconds, not {timeout!r}.") from None

        wait = self.inbox.wait_for_message(
            args.get("address"),
            args.get("sender"),
            seconds,
            subject=args.get("subject"),
            # Nothing came: say why, as "Why hasn't my mail arrived?" would (the window shows it too).
            check_on_timeout=True,
            on_registered=lambda: reply.progress("waiting"),
        )
        self._spawn(
            "wait",
            wait,
            reply,
            lambda arrived: reply.ok(message=ArrivedMessage.as_dict(arrived)),
        )

    def _cmd_check(self, args: dict[str, Any], reply: Reply) -> None:
        address = args.get("address") or self.inbox.current_address
        if not address:
            raise errors.UsageError("There is no address to check yet; create one with 'temp-inbox new'.")

        def progress(check: CheckResult) -> None:
            reply.progress(f"check {'ok' if check.ok else 'failed'} {check.name}: {check.detail}")

        self._spawn(
            "check",
            self.inbox.check_address(address, progress),
            reply,
            lambda report: reply.ok(report=report.as_dict()),
        )

    def _cmd_export(self, args: dict[str, Any], reply: Reply) -> None:
        path = _file_argument(args)
        with_passwords = bool(args.get("with_passwords"))

        def exported(report: ExportReport) -> None:
            self.signals.status.emit(f"Exported {report.count} addresses to {path.name}.")
            reply.ok(
                count=report.count,
                file=str(path),
                with_passwords=with_passwords,
                without_password=report.without_password,
            )

        self._spawn(
            "export", self.inbox.export_addresses(path, include_passwords=with_passwords), reply, exported
        )

    def _cmd_import(self, args: dict[str, Any], reply: Reply) -> None:
        path = _file_argument(args)

        def imported(report: ImportReport) -> None:
            self.signals.addresses_changed.emit()
            self.signals.status.emit(f"Imported {len(report.added)} addresses from {path.name}.")
            reply.ok(
                added=report.added,
                skipped=[{"address": a, "reason": why} for a, why in report.skipped],
                without_password=report.without_password,
                kept_saved_password=report.kept_saved_password,
                expiry_passed=report.expiry_passed,
                with_expiry=report.with_expiry,
            )

        async def run() -> ImportReport:
            try:
                return await self.inbox.import_addresses(path, session_only=bool(args.get("session_only")))
            except errors.KeyringUnavailableError as exc:
                raise errors.KeyringUnavailableError(
                    errors.KeyringUnavailableError.default_message
                    + " Run 'temp-inbox import --session-only FILE' to import the addresses anyway.",
                    detail=exc.detail,
                ) from exc

        self._spawn("import", run(), reply, imported)

    def _cmd_info(self, args: dict[str, Any], reply: Reply) -> None:
        reply.ok(info=self._info())

    def _cmd_debug_pane(self, args: dict[str, Any], reply: Reply) -> None:
        """What the window shows, including the rendered DOM text of the message pane; only with
        ``TEMP_INBOX_DEBUG_IPC=1`` (the end-to-end tests read the screen through it)."""
        if self._debug_state is None:
            reply.fail("Unknown command 'debug-pane'.")
            return
        self._debug_state(lambda state: reply.ok(state=state))

    def _cmd_quit(self, args: dict[str, Any], reply: Reply) -> None:
        reply.ok()
        self._quit_app()
