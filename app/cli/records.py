"""The record kept safe: `ejournal audit` (the audit chain), `backup` and `restore`."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path


def cmd_audit_verify(_: argparse.Namespace) -> None:
    from sqlmodel import Session

    from app.audit_chain import verify_chain
    from app.db import get_engine

    with Session(get_engine()) as session:
        report = verify_chain(session=session)
    print(report.summary())
    if not report.ok:
        sys.exit(1)


def cmd_audit_seal(_: argparse.Namespace) -> None:
    from sqlmodel import Session

    from app.audit_chain import seal_all
    from app.db import get_engine

    with Session(get_engine()) as session:
        sealed = seal_all(session=session)
    print(f"Включено в цепочку журнала аудита записей: {sealed}.")


def cmd_backup(args: argparse.Namespace) -> None:
    from app.backup import BackupError, backup
    from app.db import database_url

    try:
        print(backup(database_url(), args.file).summary())
    except BackupError as exc:
        sys.exit(str(exc))


def cmd_restore(args: argparse.Namespace) -> None:
    import psycopg

    from app.backup import BackupError, restore
    from app.db import (
        app_database_url,
        database_url,
        ensure_database,
        etl_database_url,
        reset_engine,
        with_database,
    )

    url = database_url()  # on an empty data dir this starts a new embedded server
    with contextlib.suppress(psycopg.Error):  # an empty external server: make its database
        ensure_database(with_database(url, "postgres"), str(psycopg.conninfo.conninfo_to_dict(url)["dbname"]))
    try:
        report = restore(
            url, args.file, force=args.force, app_url=app_database_url(), etl_url=etl_database_url()
        )
    except BackupError as exc:
        sys.exit(str(exc))
    print(f"Восстановлено: таблиц {report.tables}, строк {report.rows}. Проверено:")
    print(report.summary())
    reset_engine()
    from etl.load import run_etl

    print("  ✓ хранилище пересобрано: " + run_etl(full=True).summary())


def cmd_audit_login_hash(args: argparse.Namespace) -> None:
    from sqlmodel import Session

    from app.db import get_engine
    from app.services.accounts import login_digest

    with Session(get_engine()) as session:
        print(login_digest(args.login.strip().lower(), session=session))


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = sub.add_parser("audit", help="журнал аудита").add_subparsers(dest="audit_command", required=True)
    audit.add_parser("verify", help="проверить цепочку хешей журнала аудита").set_defaults(
        func=cmd_audit_verify
    )
    audit.add_parser(
        "seal", help="включить в цепочку записи, ещё не включённые (это делает «ejournal serve»)"
    ).set_defaults(func=cmd_audit_seal)
    lh = audit.add_parser(
        "login-hash", help="как журнал аудита записывает неизвестный логин (чтобы найти попытки входа)"
    )
    lh.add_argument("login")
    lh.set_defaults(func=cmd_audit_login_hash)

    b = sub.add_parser("backup", help="резервная копия базы (pg_dump + опись)")
    b.add_argument("file", type=Path)
    b.set_defaults(func=cmd_backup)
    r = sub.add_parser("restore", help="восстановить базу из резервной копии")
    r.add_argument("file", type=Path)
    r.add_argument("--force", action="store_true", help="заменить содержимое непустой базы")
    r.set_defaults(func=cmd_restore)
