"""The ``wnmrc-bot`` command: run, sandbox, migrate, backup, restore, check, export, i18n...

A wrong or missing setting ends the program with one line naming the variable (exit 2); a
missing, damaged or read-only database, or a file it will not write, with one line (exit 1).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from telegram.error import TelegramError

from bot.heap import freeze_startup_heap, resume_collections
from bot.lease import LeaseHeldError
from bot.logs import BOT_TOKEN, configure_logging, redact
from bot.outputs import OutputRefusedError, make_private, prepare_outputs, private_files
from config import Settings, SettingsError, load_network, load_settings
from config.mail import smtp_secrets
from storage import BackupError
from storage.offline import DatabaseFileError, require_file, require_writable

EXIT_SETTINGS = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wnmrc-bot",
        description="Working-group assistant of the World Network of Mountain Biosphere Reserves.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run",
        help="run the bot against Telegram (needs WNMRC_BOT_TOKEN; polls, or serves the webhook "
        "when WNMRC_WEBHOOK_URL is set)",
    )
    sandbox = commands.add_parser("sandbox", help="try the bot locally: emulator + terminal chat")
    sandbox.add_argument("--demo", action="store_true", help="load the fictional demo network")
    sandbox.add_argument("--database", type=Path, help="keep the sandbox database in this file")
    commands.add_parser("migrate", help="apply database migrations and load the network file")
    backup = commands.add_parser("backup", help="online backup of the database, verified")
    backup.add_argument("path", type=Path, help="the copy's file (with --keep: a folder)")
    backup.add_argument(
        "--keep",
        type=_positive,
        metavar="N",
        help="PATH is a folder: write a time-stamped copy there and keep the newest N",
    )
    _force_option(backup)
    restore = commands.add_parser("restore", help="restore a backup into a new database file")
    restore.add_argument("backup", type=Path, help="the backup file")
    restore.add_argument("path", type=Path, help="the database file to create")
    _force_option(restore)
    commands.add_parser(
        "check",
        help="check settings, database, token, linked chats, webhook (writes nothing)",
    )
    commands.add_parser("health", help="exit 0 when the running bot is healthy (HEALTHCHECK)")
    importing = commands.add_parser("import-people", help="import the participant list (CSV)")
    importing.add_argument(
        "file", type=Path, help="CSV: name, email, reserve, country, groups, ..."
    )
    roadmap = commands.add_parser("import-roadmap", help="import or update the roadmap (CSV)")
    roadmap.add_argument(
        "file", type=Path, help="CSV: ref, objective, group, title, owners, due, ..."
    )
    export = commands.add_parser("export", help="export data as files")
    export.add_argument(
        "what",
        choices=["roster", "experiences", "booklet", "calendar", "decisions", "roadmap"],
        help="what to export",
    )
    export.add_argument(
        "file",
        type=Path,
        help="where to write it (roster: CSV; experiences: FILE.csv and FILE.json; "
        "booklet: FILE.md and FILE.html; decisions: Markdown minutes; "
        "roadmap: CSV, or Markdown for FILE.md)",
    )
    export.add_argument(
        "calendar_file",
        nargs="?",
        type=Path,
        metavar="FILE",
        help="calendar: export calendar GROUP FILE writes the group's meetings as .ics",
    )
    export.add_argument("--group", help="only this working group (slug)")
    _force_option(export)
    commands.add_parser("outbox", help="what the bot has queued, sent, and failed to send")
    commands.add_parser("i18n", help="extract messages, update and check the catalogs")
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wnmrc-bot")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _force_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--force",
        action="store_true",
        help="replace an existing file (never the bot's live database)",
    )


LONG_RUNNING = frozenset({"run", "sandbox"})
"""Commands that turn the garbage collector back on themselves, once started (bot/heap.py)."""
PRIVATE_COMMANDS = frozenset(
    {"run", "migrate", "backup", "restore", "import-people", "import-roadmap", "export"}
)
"""Commands whose files hold personal data: whatever they create is readable by its owner only."""


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "run":
            settings.require_token()
        level = "WARNING" if args.command == "sandbox" and _is_default_level(settings) else None
        configure_logging(level or settings.log_level, _secrets(settings))
        if args.command not in LONG_RUNNING:
            resume_collections()
        if args.command in PRIVATE_COMMANDS:
            with private_files():
                return COMMANDS[args.command](args, settings)
        return COMMANDS[args.command](args, settings)
    except SettingsError as error:
        return _fail(str(error), EXIT_SETTINGS)
    except BackupError as error:
        return _fail(f"backup failed: {error}")
    except (DatabaseFileError, OutputRefusedError) as error:
        return _fail(str(error))
    except sqlite3.Error as error:
        return _fail(f"database {_database_of(args)}: {error}")
    except TelegramError as error:
        return _fail(f"Telegram: {error}")
    except OSError as error:
        return _fail(f"{type(error).__name__}: {error}")
    except KeyboardInterrupt:
        return 130
    except LeaseHeldError as error:
        return _fail(str(error))
    except Exception as error:  # an operator gets one line: no traceback, no secret
        return _fail(_one_line(error))


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _fail(line: str, code: int = 1) -> int:
    """One line on stderr, never a traceback, never a secret; the exit code."""
    text = " ".join(BOT_TOKEN.sub("<redacted>", line).split())
    print(f"wnmrc-bot: {text}", file=sys.stderr)
    return code


def _database_of(args: argparse.Namespace) -> str:
    try:
        return str(load_settings().database_path)
    except SettingsError:
        return "?"


def _is_default_level(settings: Settings) -> bool:
    """The sandbox keeps the terminal for the chat: INFO lines only if asked for explicitly."""
    return "log_level" not in settings.model_fields_set


def _secrets(settings: Settings) -> list[str]:
    secrets = [
        secret.get_secret_value()
        for secret in (
            settings.bot_token,
            settings.webhook_secret,
            settings.web_secret,
        )
        if secret is not None
    ]
    if settings.smtp_url is not None:
        secrets += smtp_secrets(settings.smtp_url.get_secret_value())
    return secrets


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import ALLOWED_UPDATES, build_application
    from bot.webhook import run_webhook

    if settings.webhook_url is not None:
        settings.require_webhook_secret()
    settings.smtp_server()  # a From address is needed with an SMTP server
    require_writable(settings.database_path)
    application = build_application(settings)
    freeze_startup_heap()
    if settings.webhook_url is not None:
        asyncio.run(run_webhook(application, settings))
    else:
        try:
            application.run_polling(allowed_updates=ALLOWED_UPDATES, close_loop=False)
        finally:  # a start that failed early (getMe) never shut the bot's HTTP session down
            loop = asyncio.get_event_loop()
            loop.run_until_complete(application.bot.request.shutdown())
            loop.close()
    return 0


def _sandbox(args: argparse.Namespace, settings: Settings) -> int:
    from sandbox.runner import run_sandbox

    freeze_startup_heap()
    return asyncio.run(run_sandbox(settings, demo=args.demo, database=args.database))


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.maintenance import migrate

    print(asyncio.run(migrate(settings, load_network(settings.network_file))))
    return 0


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from bot.maintenance import backup

    now = datetime.now(UTC)
    print(backup(settings, args.path, keep=args.keep, force=args.force, now=now))
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from bot.maintenance import restore

    print(restore(settings, args.backup, args.path, force=args.force))
    return 0


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.maintenance import check

    ok, lines = asyncio.run(check(settings))
    print(redact("\n".join(lines), _secrets(settings)))
    return 0 if ok else 1


def _health(args: argparse.Namespace, settings: Settings) -> int:
    from bot.maintenance import health

    print(asyncio.run(health(settings)))
    return 0


def _import_people(args: argparse.Namespace, settings: Settings) -> int:
    from bot.imports import import_people

    require_file(settings.database_path)
    require_writable(settings.database_path)
    return asyncio.run(import_people(settings, args.file, out=sys.stdout))


def _import_roadmap(args: argparse.Namespace, settings: Settings) -> int:
    from bot.roadmap.imports import import_roadmap

    require_file(settings.database_path)
    require_writable(settings.database_path)
    return asyncio.run(import_roadmap(settings, args.file, out=sys.stdout))


def _export(args: argparse.Namespace, settings: Settings) -> int:
    """Every export: the database must exist; its files are checked, written, made private."""
    require_file(settings.database_path)
    outputs = _export_paths(args)
    prepare_outputs(outputs, database=settings.database_path, force=args.force)
    try:
        print(asyncio.run(_write_export(args, settings)))
    finally:
        make_private(outputs)
    return 0


def _export_paths(args: argparse.Namespace) -> list[Path]:
    from bot.experiences.booklet import paired_paths

    if args.what == "experiences":
        return list(paired_paths(args.file, "csv", "json"))
    if args.what == "booklet":
        return list(paired_paths(args.file, "md", "html"))
    if args.what == "calendar":
        return [_calendar_target(args)[1]]
    return [args.file]


async def _write_export(args: argparse.Namespace, settings: Settings) -> str:
    from datetime import UTC, datetime

    from bot.experiences.booklet import export_booklet, export_experiences
    from bot.meetings.calendar import export_calendar
    from bot.roadmap.export import export_roadmap
    from bot.roster import export_roster

    now = datetime.now(UTC)
    if args.what == "roadmap":
        return await export_roadmap(settings, args.file)
    if args.what == "roster":
        return await export_roster(settings, args.file, group_slug=args.group)
    if args.what == "calendar":
        group, path = _calendar_target(args)
        return await export_calendar(settings, path, group_slug=group, now=now)
    if args.what == "decisions":
        from bot.decisions.minutes import export_decisions

        return await export_decisions(settings, args.file, now)
    network = load_network(settings.network_file)
    if args.what == "experiences":
        return await export_experiences(settings, args.file, list(network.review.criteria))
    name = network.name_in(settings.default_language)
    return await export_booklet(settings, args.file, name, now.date())


def _calendar_target(args: argparse.Namespace) -> tuple[str, Path]:
    """``export calendar GROUP FILE`` (or ``export calendar FILE --group GROUP``)."""
    if args.calendar_file is not None:
        return str(args.file), args.calendar_file
    if args.group:
        return args.group, args.file
    raise SettingsError("GROUP", "export calendar GROUP FILE")


def _outbox(args: argparse.Namespace, settings: Settings) -> int:
    from bot.delivery import outbox_report

    require_file(settings.database_path)
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
    "restore": _restore,
    "check": _check,
    "health": _health,
    "i18n": _i18n,
    "import-people": _import_people,
    "import-roadmap": _import_roadmap,
    "export": _export,
    "outbox": _outbox,
}

if __name__ == "__main__":
    sys.exit(main())
