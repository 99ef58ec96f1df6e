"""The `ejournal` command line.

`build_parser` takes each command group's arguments from its module, in the order `ejournal --help`
lists them: `database` (db, demo, lessons, etl), `notify`, `users` (user), `records` (audit, backup,
restore), `exchange` (import, export), `serve`. `python -m app.cli …` runs `main` (`__main__`).
"""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from app.cli import database, exchange, notify, records, serve, users


def _settings_or_exit() -> None:
    from app.settings import get_settings

    try:
        get_settings()
    except ValidationError as exc:
        lines = [f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        sys.exit("Ошибка в настройках EJOURNAL_*:\n" + "\n".join(lines))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ejournal", description="Электронный журнал успеваемости")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (database, notify, users, records, exchange, serve):
        group.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    # `serve` hands Streamlit's own options through (`ejournal serve --server.port 8600`), which
    # argparse's REMAINDER cannot take when the first of them starts with «--».
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "serve":
        parser.error("неизвестные аргументы: " + " ".join(extra))
    if extra:
        args.streamlit_args = extra
    _settings_or_exit()
    if args.command != "serve":  # the web server stamps each request with its own origin
        from app import audit

        audit.bind_origin(audit.CLI)
    args.func(args)
