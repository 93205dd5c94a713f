"""Command line: ``temp-inbox [options] [command]``.

Every command works against the running instance and starts one (in the background, window hidden)
when none is running, so ``temp-inbox copy`` can be bound to a desktop-wide hotkey.

Over 300 lines: each command is one case in the parser and one in the printing of its answer; apart, a
new command would be half-added.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from desktop_app import __version__
from desktop_app.core.paths import data_dir as resolve_data_dir
from desktop_app.instance.lock import is_claimed
from desktop_app.options import START_TIMEOUT, Options, with_remembered_provider

__all__ = ["Options", "QtArgumentError", "main", "parse", "split_qt_args", "with_remembered_provider"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_TIMEOUT = 0, 1, 2, 3

# Qt's own command-line options (QGuiApplication and QApplication; -display and -geometry are X11's),
# handed to the QApplication instead of our parser. Qt takes them with one dash or two.
QT_FLAGS = frozenset({"reverse", "widgetcount"})
QT_VALUE_OPTIONS = frozenset(
    {
        "platform",
        "platformpluginpath",
        "platformtheme",
        "plugin",
        "qwindowgeometry",
        "qwindowicon",
        "qwindowtitle",
        "session",
        "style",
        "stylesheet",
        "display",
        "geometry",
    }
)
QT_EQUALS_ONLY = frozenset({"qmljsdebugger"})  # Qt reads it only as -qmljsdebugger=port,block
# Ours that take a value: the value is never looked at as a Qt option or a command name.
_GLOBAL_VALUE_OPTIONS = frozenset({"--api-url", "--hub-url", "--data-dir"})
_COMMANDS = frozenset(
    {
        "new",
        "copy",
        "list",
        "show",
        "wait",
        "check",
        "expire",
        "providers",
        "export",
        "import",
        "info",
        "quit",
    }
)
QT_OPTIONS_NEED_WINDOW = "Qt options ({options}) apply only when the window starts (no command, or 'show')"
QT_OPTION_NEEDS_VALUE = "Qt's option {option} needs a value"


class QtArgumentError(ValueError):
    pass


def _smtp_argument(text: str) -> str:
    """``providers add --smtp``: host:port, checked here so that a typo fails before anything runs."""
    from desktop_app.core.api.providers import format_smtp, parse_smtp
    from desktop_app.core.errors import UsageError

    try:
        return format_smtp(parse_smtp(text)) or "none"
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def split_qt_args(argv: list[str]) -> tuple[list[str], list[str]]:
    """``argv`` as (ours, Qt's), Qt's in the single-dash form Qt parses (``-style Fusion``).

    Only the global part is searched: from a command's name on, everything is the command's (``new
    --name x`` is ours, not X11's ``-name``), as is everything after ``--``."""
    ours: list[str] = []
    qt: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--" or arg in _COMMANDS:
            ours += argv[i:]
            break
        if arg in _GLOBAL_VALUE_OPTIONS:
            ours += argv[i : i + 2]
            i += 2
            continue
        name, equals, value = arg.lstrip("-").partition("=")
        dashes = len(arg) - len(arg.lstrip("-"))
        if dashes in (1, 2) and not equals and name in QT_FLAGS:
            qt.append(f"-{name}")
        elif dashes in (1, 2) and name in QT_VALUE_OPTIONS:
            if not equals:
                if i + 1 >= len(argv):
                    raise QtArgumentError(QT_OPTION_NEEDS_VALUE.format(option=arg))
                i += 1
                value = argv[i]
            qt += [f"-{name}", value]
        elif dashes in (1, 2) and equals and name in QT_EQUALS_ONLY:
            qt.append(f"-{name}={value}")
        else:
            ours.append(arg)
        i += 1
    return ours, qt


def _lifetime_argument(text: str) -> str:
    """``--expires``/``expire``'s duration, checked here (exit 2 with usage) and resolved by the
    instance against its clock. Imported late: the core's lifetime rules are not needed by every run."""
    from desktop_app.core.errors import UsageError
    from desktop_app.core.lifetime import parse_lifetime

    try:
        parse_lifetime(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text.strip().lower()


def _moment_argument(text: str) -> str:
    """``expire --at``: an ISO 8601 time; without an offset it is this computer's local time, made
    explicit before it travels to the instance (which checks it again against its own clock)."""
    from datetime import UTC, datetime

    from desktop_app.core.errors import UsageError
    from desktop_app.core.lifetime import parse_moment

    try:
        return parse_moment(text, datetime.now(UTC)).isoformat()
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="temp-inbox",
        description="Disposable email inboxes on your desktop.",
        epilog=(
            "Run 'temp-inbox serve --help' for the embedded local mail server. "
            "Qt's own options (-platform, -style, -stylesheet, -reverse, -qwindowtitle, -qwindowgeometry, "
            "-display …) are passed to Qt when the window starts."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    provider = parser.add_mutually_exclusive_group()
    provider.add_argument(
        "--local", action="store_true", help="use the embedded local mail server (no internet needed)"
    )
    provider.add_argument("--api-url", metavar="URL", help="use any mail.tm-compatible server")
    parser.add_argument(
        "--hub-url", metavar="URL", help="its Mercure hub (default: <api-url>/.well-known/mercure)"
    )
    parser.add_argument("--data-dir", metavar="DIR", help="keep everything (cache, settings) under DIR")
    parser.add_argument("--background", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="command")

    new = commands.add_parser("new", help="create an address, print it and copy it")
    new.add_argument("--domain", help="domain to use (default: the first available)")
    new.add_argument("--name", help="local part before the @ (default: random)")
    new.add_argument(
        "--session-only",
        action="store_true",
        help="keep the password in memory only (no system keyring); the address is lost at quit",
    )
    new.add_argument(
        "--provider",
        metavar="NAME|URL",
        help="on this provider (mail.tm, mail.gw, a name from 'providers', or any service's API URL)",
    )
    new.add_argument(
        "--expires",
        metavar="LIFETIME",
        type=_lifetime_argument,
        help="delete it automatically after LIFETIME: 1h, 1d, 1w (or e.g. 30m, 3d); default never",
    )
    new.add_argument("--json", action="store_true", help="print JSON")

    commands.add_parser("copy", help="copy the current address to the clipboard")

    listing = commands.add_parser("list", help="list your addresses")
    listing.add_argument("--json", action="store_true", help="print JSON")

    show = commands.add_parser("show", help="raise the window on a message")
    show.add_argument("message_id", metavar="MESSAGE_ID")

    wait = commands.add_parser("wait", help="block until the next matching message arrives and print it")
    wait.add_argument("--address", help="only mail to this address")
    wait.add_argument(
        "--from", dest="sender", metavar="PATTERN", help="only mail whose sender matches (substring or regex)"
    )
    wait.add_argument(
        "--subject", metavar="PATTERN", help="only mail whose subject matches (substring or regex)"
    )
    wait.add_argument("--timeout", type=float, metavar="S", help="give up after S seconds (exit code 3)")
    wait.add_argument("--json", action="store_true", help="print JSON")
    check = commands.add_parser(
        "check",
        help="why hasn't my mail arrived? check an address live and say what is wrong (exit 1 if anything)",
    )
    check.add_argument("address", nargs="?", metavar="ADDRESS", help="the address (default: the current one)")
    check.add_argument("--json", action="store_true", help="print JSON")
    expire = commands.add_parser(
        "expire",
        help="delete an address automatically after LIFETIME (1h, 1d, 1w …) or at a time; 'never' keeps it",
    )
    expire.add_argument("address", metavar="ADDRESS")
    expire.add_argument(
        "lifetime",
        nargs="?",
        metavar="LIFETIME",
        type=_lifetime_argument,
        help="1h, 1d, 1w (or e.g. 30m, 3d) from now, or 'never'",
    )
    expire.add_argument(
        "--at",
        metavar="TIME",
        type=_moment_argument,
        help="at this time instead (ISO 8601, e.g. 2026-12-01T14:00; local time unless it has an offset)",
    )
    expire.add_argument("--json", action="store_true", help="print JSON")
    providers = commands.add_parser("providers", help="list, add or remove mail.tm-compatible providers")
    providers.add_argument("action", nargs="?", choices=("list", "add", "remove"), default="list")
    providers.add_argument("url", nargs="?", metavar="URL|NAME", help="add: the API URL; remove: its name")
    providers.add_argument(
        "--hub", metavar="URL", help="add: its Mercure hub (default <URL>/.well-known/mercure)"
    )
    providers.add_argument("--name", help="add: a name to show for it")
    providers.add_argument(
        "--smtp",
        metavar="HOST:PORT",
        type=_smtp_argument,
        help="add: its SMTP server, where 'check' sends a test mail ('none' forgets it; adding a kept "
        "provider again updates it)",
    )
    providers.add_argument("--json", action="store_true", help="print JSON")
    export = commands.add_parser("export", help="write your addresses to FILE (owner-only)")
    export.add_argument("file", metavar="FILE")
    export.add_argument(
        "--with-passwords",
        action="store_true",
        help="include the passwords: the file then opens every address (mail.tm has no password reset)",
    )
    export.add_argument("--json", action="store_true", help="print JSON")
    imports = commands.add_parser(
        "import", help="add the addresses of an export FILE (all or nothing; duplicates skipped)"
    )
    imports.add_argument("file", metavar="FILE")
    imports.add_argument(
        "--session-only", action="store_true", help="keep their passwords in memory only (no keyring)"
    )
    imports.add_argument("--json", action="store_true", help="print JSON")
    info = commands.add_parser("info", help="show the provider, the local SMTP port and the keyring in use")
    info.add_argument("--json", action="store_true", help="print JSON")

    commands.add_parser("quit", help="quit the running Temp Inbox")
    return parser


def parse(argv: list[str]) -> Options:
    try:
        argv, qt_args = split_qt_args(argv)
    except QtArgumentError as exc:
        build_parser().error(str(exc))
    ns = build_parser().parse_args(argv)
    if qt_args and ns.command not in (None, "show"):
        # A command talks to the running window (or starts one hidden): Qt's options would do nothing.
        shown = " ".join(a for a in qt_args if a.startswith("-"))
        build_parser().error(QT_OPTIONS_NEED_WINDOW.format(options=shown))
    if ns.hub_url and not ns.api_url:
        build_parser().error("--hub-url needs --api-url")
    args = {
        k: v
        for k, v in vars(ns).items()
        if k not in {"local", "api_url", "hub_url", "data_dir", "background", "command"}
    }
    if ns.command == "wait" and ns.timeout is not None and ns.timeout <= 0:
        build_parser().error("--timeout must be positive")
    if ns.command == "expire" and (ns.lifetime is None) == (ns.at is None):
        build_parser().error("expire takes a LIFETIME (1h, 1d, 1w, never) or --at TIME, one of them")
    if ns.command in ("export", "import"):
        # The instance has its own working directory: send the file as the user means it.
        args["file"] = str(Path(ns.file).expanduser().absolute())
    return Options(
        data_dir=resolve_data_dir(ns.data_dir),
        local=ns.local,
        api_url=ns.api_url,
        hub_url=ns.hub_url,
        background=ns.background,
        command=ns.command,
        args=args,
        qt_args=tuple(qt_args),
    )


def _print_result(command: str, args: dict[str, Any], answer: dict[str, Any]) -> int:
    if not answer.get("ok"):
        print(f"temp-inbox: {answer.get('error', 'failed')}", file=sys.stderr)
        check = answer.get("check")
        if check:  # a wait that timed out checked its address: say why nothing came
            print(f"{check['address']}: {check['verdict']['text']}", file=sys.stderr)
            if args.get("json"):
                print(json.dumps({"timeout": True, "check": check}))
        return EXIT_TIMEOUT if answer.get("timeout") else EXIT_ERROR
    as_json = bool(args.get("json"))
    if command == "new":
        print(json.dumps(answer["address"]) if as_json else answer["address"]["address"])
        if not as_json and answer["address"].get("expires_exact"):
            # On stderr: stdout stays the bare address that scripts read.
            when = answer["address"]["expires_exact"]
            print(f"It will be deleted automatically on {when}.", file=sys.stderr)
    elif command == "expire":
        if as_json:
            print(json.dumps({k: v for k, v in answer.items() if k != "ok"}))
        elif answer.get("expires"):
            print(f"{answer['address']}: {answer['expiry']} ({answer['expires_exact']})")
        else:
            print(f"{answer['address']}: kept (not deleted automatically)")
    elif command == "list":
        if as_json:
            print(json.dumps(answer["addresses"], indent=2))
        else:
            for item in answer["addresses"]:
                label = f"  ({item['label']})" if item.get("label") else ""
                expiry = f"  · {item['expiry']}" if item.get("expiry") else ""
                print(
                    f"{item['address']}  {item['unread']} unread  [{item.get('provider', '')}]{label}{expiry}"
                )
    elif command == "wait":
        message = answer["message"]
        if as_json:
            print(json.dumps(message))
        else:
            print(f"From: {message['from']}\nTo: {message['to']}\nSubject: {message['subject']}")
            for key in ("code", "link"):
                if message.get(key):
                    print(f"{key.capitalize()}: {message[key]}")
    elif command == "providers":
        if as_json:
            print(json.dumps(answer["providers"], indent=2))
        else:
            for item in answer["providers"]:
                marks = ", ".join(
                    m for m, on in (("default", item["default"]), ("in use", item["in_use"])) if on
                )
                where = "starts when used" if item.get("starts_when_used") else item["api"]
                smtp = f"  SMTP {item['smtp']}" if item.get("smtp") else ""
                print(f"{item['name']}  {where}{smtp}" + (f"  ({marks})" if marks else ""))
    elif command == "check":
        report = answer["report"]
        verdict = report["verdict"]
        if as_json:
            print(json.dumps(report))
        else:
            print(f"{report['address']}: {verdict['text']}")
        return EXIT_OK if verdict["code"] == "ok" else EXIT_ERROR
    elif command == "copy":
        print(f"Copied {answer['address']}", file=sys.stderr)
    elif command == "export":
        if as_json:
            print(json.dumps({k: v for k, v in answer.items() if k != "ok"}))
        else:
            print(f"Exported {answer['count']} addresses to {answer['file']}.", file=sys.stderr)
            for address in answer.get("without_password") or ():
                print(f"  {address}: no saved password, exported without one", file=sys.stderr)
    elif command == "import":
        if as_json:
            print(json.dumps({k: v for k, v in answer.items() if k != "ok"}))
        else:
            for address in answer["added"]:
                print(address)
            for item in answer.get("skipped") or ():
                print(f"skipped {item['address']}: {item['reason']}", file=sys.stderr)
            for address in answer.get("without_password") or ():
                print(f"{address}: no password in the file; log in to it in the window", file=sys.stderr)
            for address in answer.get("kept_saved_password") or ():
                print(f"{address}: kept the password already saved (the file's differs)", file=sys.stderr)
            for address in answer.get("expiry_passed") or ():
                print(
                    f"{address}: its automatic deletion in the file was past or minutes away: imported kept "
                    "(set it again with 'temp-inbox expire')",
                    file=sys.stderr,
                )
            for address in answer.get("with_expiry") or ():
                print(f"{address}: deleted automatically at the time the file gives", file=sys.stderr)
    elif command == "info":
        info = answer["info"]
        print(json.dumps(info, indent=2) if as_json else "\n".join(f"{k}: {v}" for k, v in info.items()))
    return EXIT_OK


def _print_progress(stage: str) -> None:
    # On stderr, so that stdout stays the answer alone (scripts parse `wait --json`), and flushed, so
    # that a script can send its mail the moment it reads this line.
    if stage == "waiting":
        print("Waiting for a matching message…", file=sys.stderr, flush=True)
    elif stage.startswith("check "):
        outcome, _, rest = stage.removeprefix("check ").partition(" ")
        print(f"  {'✓' if outcome == 'ok' else '✗'} {rest}", file=sys.stderr, flush=True)


def _start_background_instance(options: Options) -> None:
    log_path = options.data_dir / "instance.log"
    with open(log_path, "ab") as log:
        subprocess.Popen(
            [sys.executable, "-m", "desktop_app", *options.instance_argv(), "--background"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )


def run_command(options: Options) -> int:
    from desktop_app.instance.ipc import send_command, socket_name

    assert options.command is not None
    name = socket_name(options.data_dir)
    timeout = options.args.get("timeout")
    reply_timeout = None if options.command == "wait" and timeout is None else (timeout or 0) + 30.0

    def send() -> dict[str, Any] | None:
        return send_command(
            name, options.command or "", options.args, timeout=reply_timeout, on_progress=_print_progress
        )

    if options.command == "export" and options.args.get("with_passwords"):
        from desktop_app.core.accounts.transfer import PASSWORDS_WARNING

        print(f"Warning: {PASSWORDS_WARNING}", file=sys.stderr)
    answer = send()
    spawned = announced = False
    deadline = time.monotonic() + START_TIMEOUT
    while answer is None:
        if not is_claimed(options.data_dir):
            if options.command == "quit":
                return EXIT_OK  # nothing running: nothing to quit
            if not spawned:
                _start_background_instance(options)
                spawned = True
        elif not spawned and not announced:
            # An instance holds the data directory but does not listen yet (the window is starting,
            # or shutting down): wait for it rather than start a second one on the same data.
            print("Temp Inbox is starting; waiting for it…", file=sys.stderr, flush=True)
            announced = True
        if time.monotonic() > deadline:
            print(
                f"temp-inbox: Temp Inbox did not answer within {START_TIMEOUT:.0f} s "
                f"(see {options.data_dir / 'instance.log'}).",
                file=sys.stderr,
            )
            return EXIT_ERROR
        time.sleep(0.2)  # polling the socket: the instance says nothing until it listens
        answer = send()
    return _print_to_reader(options.command, options.args, answer)


def _print_to_reader(command: str, args: dict[str, Any], answer: dict[str, Any]) -> int:
    """``_print_result``, for a reader that may stop early (``temp-inbox list | head``, ``| grep -q``):
    the command has done its work, so that is no error and no traceback."""
    try:
        code = _print_result(command, args, answer)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would meet the closed pipe again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    return code


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "serve":
        from desktop_app.server.cli import main as serve_main

        return serve_main(args[1:])
    options = parse(args)
    if options.command in (None, "show"):
        from desktop_app.app import run_app

        return run_app(options)
    return run_command(options)
