"""Data in and out as files: `ejournal import` (what it does is app/imports/commands.py) and
`ejournal export`."""

from __future__ import annotations

import argparse
from pathlib import Path


def cmd_import(args: argparse.Namespace) -> None:
    from app.imports.commands import import_kind

    import_kind(args.kind, args.file, args.college_id)


def cmd_import_history(args: argparse.Namespace) -> None:
    from app.imports.commands import import_history_file

    import_history_file(args.file, args.college_id, args.login)


def cmd_import_template(args: argparse.Namespace) -> None:
    from app.imports.commands import write_template

    write_template(args.kind, args.file)


def cmd_export_parquet(args: argparse.Namespace) -> None:
    from app.exports.parquet import export_for_cli

    export_for_cli(args.dir)


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from app.imports import KINDS

    imp = sub.add_parser("import", help="импорт данных из XLSX или CSV").add_subparsers(
        dest="import_command", required=True
    )
    for kind, title in KINDS.items():
        k = imp.add_parser(kind, help=f"импорт «{title}» (всё или ничего)")
        k.add_argument("file", type=Path)
        k.add_argument("--college-id", type=int, default=None)
        k.set_defaults(func=cmd_import, kind=kind)
    hist = imp.add_parser("history", help="перенос отметок и посещаемости из другой системы")
    hist.add_argument("file", type=Path)
    hist.add_argument("--college-id", type=int, default=None)
    hist.add_argument("--login", default=None, help="от чьего имени (по умолчанию — ответственный)")
    hist.set_defaults(func=cmd_import_history)
    tpl = imp.add_parser("template", help="записать шаблон XLSX для вида данных")
    tpl.add_argument("kind", choices=[*KINDS, "history"])
    tpl.add_argument("file", type=Path)
    tpl.set_defaults(func=cmd_import_template)

    export = sub.add_parser("export", help="выгрузка данных").add_subparsers(
        dest="export_command", required=True
    )
    pq = export.add_parser("parquet", help="витрины хранилища в Parquet (для BI)")
    pq.add_argument("dir", type=Path)
    pq.set_defaults(func=cmd_export_parquet)
