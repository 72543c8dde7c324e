"""The ``wnmrc-bot`` command: run, sandbox, migrate, backup, check, i18n.

A wrong or missing setting ends the program with one line naming the variable (exit 2).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from bot.logs import configure_logging
from config import Settings, SettingsError, load_network, load_settings
from storage import BackupError

EXIT_SETTINGS = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wnmrc-bot",
        description="Working-group assistant of the World Network of Mountain Biosphere Reserves.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="run the bot against Telegram (needs WNMRC_BOT_TOKEN)")
    run.add_argument(
        "--webhook",
        metavar="URL",
        help="receive updates by webhook at this public URL (its path is served)",
    )
    run.add_argument("--port", type=int, default=8443, help="webhook listening port")
    run.add_argument("--listen", default="0.0.0.0", help="webhook listening address")
    run.add_argument("--secret-token", help="webhook secret token Telegram sends back")
    sandbox = commands.add_parser("sandbox", help="try the bot locally: emulator + terminal chat")
    sandbox.add_argument("--demo", action="store_true", help="load the fictional demo network")
    sandbox.add_argument("--database", type=Path, help="keep the sandbox database in this file")
    commands.add_parser("migrate", help="apply database migrations and load the network file")
    backup = commands.add_parser("backup", help="online backup of the database, verified")
    backup.add_argument("path", type=Path, help="where to write the copy (must not exist)")
    commands.add_parser("check", help="check settings, database and the token (getMe)")
    importing = commands.add_parser("import-people", help="import the participant list (CSV)")
    importing.add_argument(
        "file", type=Path, help="CSV: name, email, reserve, country, groups, ..."
    )
    export = commands.add_parser("export", help="export data as files")
    export.add_argument(
        "what", choices=["roster", "experiences", "booklet", "calendar"], help="what to export"
    )
    export.add_argument(
        "file",
        type=Path,
        help="where to write it (roster: CSV; experiences: FILE.csv and FILE.json; "
        "booklet: FILE.md and FILE.html)",
    )
    export.add_argument(
        "calendar_file",
        nargs="?",
        type=Path,
        metavar="FILE",
        help="calendar: export calendar GROUP FILE writes the group's meetings as .ics",
    )
    export.add_argument("--group", help="only this working group (slug)")
    commands.add_parser("outbox", help="what the bot has queued, sent, and failed to send")
    commands.add_parser("i18n", help="extract messages, update and check the catalogs")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "run":
            settings.require_token()
        level = "WARNING" if args.command == "sandbox" and _is_default_level(settings) else None
        configure_logging(level or settings.log_level, _secrets(settings))
        return COMMANDS[args.command](args, settings)
    except SettingsError as error:
        print(f"wnmrc-bot: {error}", file=sys.stderr)
        return EXIT_SETTINGS
    except BackupError as error:
        print(f"wnmrc-bot: backup failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _is_default_level(settings: Settings) -> bool:
    """The sandbox keeps the terminal for the chat: INFO lines only if asked for explicitly."""
    return "log_level" not in settings.model_fields_set


def _secrets(settings: Settings) -> list[str]:
    return [settings.bot_token.get_secret_value()] if settings.bot_token else []


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import ALLOWED_UPDATES, build_application
    from bot.heap import freeze_startup_heap

    application = build_application(settings)
    freeze_startup_heap()
    if args.webhook:
        application.run_webhook(
            listen=args.listen,
            port=args.port,
            url_path=urlsplit(args.webhook).path.lstrip("/"),
            webhook_url=args.webhook,
            secret_token=args.secret_token,
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0


def _sandbox(args: argparse.Namespace, settings: Settings) -> int:
    from sandbox.runner import run_sandbox

    return asyncio.run(run_sandbox(settings, demo=args.demo, database=args.database))


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.maintenance import migrate

    print(asyncio.run(migrate(settings, load_network(settings.network_file))))
    return 0


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.maintenance import backup

    print(asyncio.run(backup(settings, args.path)))
    return 0


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.maintenance import check

    ok, lines = asyncio.run(check(settings))
    print("\n".join(lines))
    return 0 if ok else 1


def _import_people(args: argparse.Namespace, settings: Settings) -> int:
    from bot.imports import import_people

    return asyncio.run(import_people(settings, args.file, out=sys.stdout))


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.roster import export_roster

    if args.what in ("experiences", "booklet"):
        return _export_experiences(args, settings)
    if args.what == "calendar":
        return _export_calendar(args, settings)

    print(asyncio.run(export_roster(settings, args.file, group_slug=args.group)))
    return 0


def _export_experiences(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from bot.experiences.booklet import export_booklet, export_experiences

    network = load_network(settings.network_file)
    if args.what == "experiences":
        criteria = list(network.review.criteria)
        print(asyncio.run(export_experiences(settings, args.file, criteria)))
    else:
        name = network.name_in(settings.default_language)
        today = datetime.now(UTC).date()
        print(asyncio.run(export_booklet(settings, args.file, name, today)))
    return 0


def _export_calendar(args: argparse.Namespace, settings: Settings) -> int:
    """``export calendar GROUP FILE`` (or ``export calendar FILE --group GROUP``)."""
    from datetime import UTC, datetime

    from bot.calendar import export_calendar

    if args.calendar_file is not None:
        group, path = str(args.file), args.calendar_file
    elif args.group:
        group, path = args.group, args.file
    else:
        raise SettingsError("GROUP", "export calendar GROUP FILE")
    now = datetime.now(UTC)
    print(asyncio.run(export_calendar(settings, path, group_slug=group, now=now)))
    return 0


def _outbox(args: argparse.Namespace, settings: Settings) -> int:
    from bot.delivery import outbox_report

    print(asyncio.run(outbox_report(settings)))
    return 0


def _i18n(args: argparse.Namespace, settings: Settings) -> int:
    from bot.catalogs import main as catalogs_main

    return catalogs_main()


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "run": _run,
    "sandbox": _sandbox,
    "migrate": _migrate,
    "backup": _backup,
    "check": _check,
    "i18n": _i18n,
    "import-people": _import_people,
    "export": _export,
    "outbox": _outbox,
}

if __name__ == "__main__":
    sys.exit(main())
