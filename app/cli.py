"""The `ejournal` command line."""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError


def _settings_or_exit() -> None:
    from app.settings import get_settings

    try:
        get_settings()
    except ValidationError as exc:
        lines = [f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        sys.exit("Ошибка в настройках EJOURNAL_*:\n" + "\n".join(lines))


def cmd_db_url(_: argparse.Namespace) -> None:
    from app.db import database_url

    print(database_url())


def cmd_db_migrate(_: argparse.Namespace) -> None:
    from app.db import database_url
    from app.migrate import upgrade

    upgrade(database_url())
    print("Схема базы данных обновлена.")


def cmd_demo_seed(args: argparse.Namespace) -> None:
    from app.demo.seed import seed_demo

    report = seed_demo(seed=args.seed, colleges=args.colleges, today=args.today)
    print(report)


def cmd_lessons_materialize(args: argparse.Namespace) -> None:
    from sqlmodel import Session, select

    from app.db import get_engine
    from app.models import College
    from app.services.journal import college_today, materialize_lessons

    with Session(get_engine()) as session:
        day = args.date or college_today(session=session)
        total = 0
        for college_id in session.exec(select(College.id)):
            assert college_id is not None
            total += materialize_lessons(college_id, day, session=session)
    print(f"Создано занятий по расписанию на {day:%d.%m.%Y}: {total}")


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


def cmd_user_add(args: argparse.Namespace) -> None:
    from sqlmodel import Session, select

    from app.db import get_engine
    from app.domain import Role
    from app.errors import DomainError
    from app.models import College
    from app.services.accounts import create_user

    with Session(get_engine()) as session:
        colleges = session.exec(select(College)).all()
        if args.college_id is not None:
            college = session.get(College, args.college_id)
            if college is None:
                sys.exit(f"Колледж №{args.college_id} не найден.")
        elif args.new_college:
            college = College(name=args.new_college, short_name=args.new_college[:32])
            session.add(college)
            session.commit()
        elif len(colleges) == 1:
            college = colleges[0]
        else:
            names = "; ".join(f"{c.id}: {c.name}" for c in colleges) or "колледжей нет"
            sys.exit(
                "Укажите --college-id (" + names + ") или --new-college «Название» для первого колледжа."
            )
        assert college.id is not None
        college_name = college.name
        try:
            user_id, initial = create_user(
                session=session,
                college_id=college.id,
                login=args.login,
                full_name=args.name,
                roles={Role(r) for r in args.role},
            )
        except DomainError as exc:
            sys.exit(exc.message)
    print(f"Создан пользователь {args.login} (№{user_id}) в «{college_name}».")
    print(f"Временный пароль (действует один раз, сменить при первом входе): {initial}")


CLI_REASON = "по команде на сервере, причина не указана"


def _admin(args: argparse.Namespace, action: Callable[..., object]) -> object:
    """Run one account action from the server's shell (`actor=None`, audited with the OS user)."""
    from sqlmodel import Session

    from app.db import get_engine
    from app.errors import DomainError
    from app.services import admin

    with Session(get_engine()) as session:
        try:
            target = admin.account_by_login(None, args.login, session=session)
            return action(session, target)
        except DomainError as exc:
            sys.exit(exc.message)


def _print_account(account: object) -> None:
    from app.domain import fmt_date
    from app.services.admin import Account
    from app.settings import get_settings

    assert isinstance(account, Account)
    print(f"{account.login}: {account.full_name}")
    print("  роли: " + (", ".join(account.roles) if account.roles else "нет"))
    print(f"  состояние: {account.status}")
    if account.must_change_password and account.password_expires_at is not None:
        until = account.password_expires_at.astimezone(get_settings().tz)
        print(f"  временный пароль действует до {fmt_date(until)}")


def cmd_user_list(args: argparse.Namespace) -> None:
    from sqlmodel import Session

    from app.db import get_engine
    from app.domain import Role
    from app.services.admin import find_accounts

    with Session(get_engine()) as session:
        accounts = find_accounts(
            None,
            session=session,
            college_id=args.college_id,
            text=args.find or "",
            role=Role(args.role) if args.role else None,
            limit=100_000,
        )
    for a in accounts:
        print(f"{a.login}\t{a.full_name}\t{', '.join(a.roles) or '—'}\t{a.status}")
    print(f"Учётных записей: {len(accounts)}")


def cmd_user_show(args: argparse.Namespace) -> None:
    from app.services.admin import account

    _print_account(_admin(args, lambda session, target: account(None, target.user_id, session=session)))


def _group_id(session: Any, target: Any, name: str | None) -> int | None:
    """`--group ИСП-41` as the group's id, in the account's college."""
    from app.services.admin import group_by_name

    return None if name is None else group_by_name(None, target.user_id, name, session=session).id


def cmd_user_role(args: argparse.Namespace) -> None:
    from app.domain import Role
    from app.services.admin import account, grant_role, revoke_role

    change = grant_role if args.grant else revoke_role

    def apply(session: Any, target: Any) -> object:
        change(
            None,
            target.user_id,
            Role(args.role),
            group_id=_group_id(session, target, args.group),
            reason=args.reason,
            session=session,
        )
        return account(None, target.user_id, session=session)

    _print_account(_admin(args, apply))


def cmd_user_active(args: argparse.Namespace) -> None:
    from app.services.admin import account, set_active

    def switch(session: Any, target: Any) -> object:
        set_active(None, target.user_id, args.active, reason=args.reason, session=session)
        return account(None, target.user_id, session=session)

    _print_account(_admin(args, switch))


def cmd_user_unlock(args: argparse.Namespace) -> None:
    from app.services.admin import account, unlock

    def lift(session: Any, target: Any) -> object:
        unlock(None, target.user_id, reason=args.reason, session=session)
        return account(None, target.user_id, session=session)

    _print_account(_admin(args, lift))


def cmd_user_reset(args: argparse.Namespace) -> None:
    from app.services.admin import reset_password

    password = _admin(
        args,
        lambda session, target: reset_password(None, target.user_id, reason=args.reason, session=session),
    )
    print(
        f"Новый временный пароль для {args.login.strip().lower()} (действует один раз, сменить при первом входе): {password}"
    )


def cmd_user_sessions(args: argparse.Namespace) -> None:
    from app.services.admin import open_sessions
    from app.settings import get_settings

    sessions = _admin(args, lambda session, target: open_sessions(None, target.user_id, session=session))
    assert isinstance(sessions, list)
    tz = get_settings().tz
    for s in sessions:
        print(
            f"{s.session_id}\tвход {s.started_at.astimezone(tz):%d.%m.%Y %H:%M}"
            f"\tпоследнее действие {s.last_seen_at.astimezone(tz):%d.%m.%Y %H:%M}\t{s.source_address}\t{s.user_agent}"
        )
    print(f"Открытых сеансов: {len(sessions)}")


def cmd_user_logout(args: argparse.Namespace) -> None:
    from app.services.admin import end_sessions

    ended = _admin(
        args,
        lambda session, target: end_sessions(
            None, target.user_id, session_id=args.session, reason=args.reason, session=session
        ),
    )
    print(f"Завершено сеансов: {ended}. Браузер увидит страницу входа при следующем действии.")


def cmd_audit_login_hash(args: argparse.Namespace) -> None:
    from sqlmodel import Session

    from app.db import get_engine
    from app.services.accounts import login_digest

    with Session(get_engine()) as session:
        print(login_digest(args.login.strip().lower(), session=session))


def cmd_etl_run(args: argparse.Namespace) -> None:
    from etl.load import DataTestsFailed, EtlBusy, run_etl

    try:
        report = run_etl(full=args.full)
    except (EtlBusy, DataTestsFailed) as exc:
        sys.exit(str(exc))
    print(report.summary())


def cmd_etl_watch(args: argparse.Namespace) -> None:
    from etl.watch import watch

    watch(interval=args.interval)


def cmd_notify_run(args: argparse.Namespace) -> None:
    import time

    from app.notify.run import run_once
    from app.settings import get_settings

    while True:
        print(run_once(send=not args.no_send), flush=True)
        if not args.watch:
            return
        time.sleep(get_settings().notify_interval_seconds)


def cmd_notify_status(_: argparse.Namespace) -> None:
    from sqlmodel import Session

    from app.db import get_owner_engine
    from app.notify.queue import status

    with Session(get_owner_engine()) as session:
        for line in status(session):
            print(line)


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


def cmd_serve(args: argparse.Namespace) -> None:
    from app.db import database_url
    from app.migrate import upgrade
    from app.paths import STREAMLIT_APP

    url = database_url()
    upgrade(url)
    env = dict(os.environ)
    # The app and its children use the same server the CLI just started.
    env["EJOURNAL_DATABASE_URL"] = url
    # Keep the warehouse fresh while the app runs: a first load now, then a refresh loop beside it.
    subprocess.run([sys.executable, "-m", "app.cli", "etl", "run"], env=env, check=False)
    subprocess.Popen([sys.executable, "-m", "app.cli", "etl", "watch"], env=env, start_new_session=False)
    os.environ.update(env)
    from app.settings import get_settings
    from app.web import serve

    get_settings.cache_clear()

    serve(STREAMLIT_APP, args.streamlit_args)


def build_parser() -> argparse.ArgumentParser:
    from app.domain import GRANTABLE_ROLES, Role
    from app.imports import KINDS

    parser = argparse.ArgumentParser(prog="ejournal", description="Электронный журнал успеваемости")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="база данных").add_subparsers(dest="db_command", required=True)
    db.add_parser("url", help="адрес базы данных (для psql)").set_defaults(func=cmd_db_url)
    db.add_parser("migrate", help="создать или обновить схему").set_defaults(func=cmd_db_migrate)

    demo = sub.add_parser("demo", help="демонстрационный колледж").add_subparsers(
        dest="demo_command", required=True
    )
    seed = demo.add_parser("seed", help="пересоздать базу с демонстрационными данными")
    seed.add_argument("--seed", type=int, default=2024, help="зерно генератора (по умолчанию 2024)")
    seed.add_argument(
        "--colleges", type=int, default=1, help="число колледжей (регион для нагрузочных тестов)"
    )
    seed.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="считать сегодняшним днём (ГГГГ-ММ-ДД); по умолчанию — дата по часам сервера",
    )
    seed.set_defaults(func=cmd_demo_seed)

    lessons = sub.add_parser("lessons", help="занятия").add_subparsers(dest="lessons_command", required=True)
    mat = lessons.add_parser("materialize", help="создать занятия дня по расписанию")
    mat.add_argument("--date", type=date.fromisoformat, default=None)
    mat.set_defaults(func=cmd_lessons_materialize)

    etl = sub.add_parser("etl", help="хранилище аналитики (DuckDB)").add_subparsers(
        dest="etl_command", required=True
    )
    run = etl.add_parser("run", help="загрузить изменения из журнала (инкрементально)")
    run.add_argument("--full", action="store_true", help="перестроить хранилище целиком")
    run.set_defaults(func=cmd_etl_run)
    w = etl.add_parser("watch", help="обновлять хранилище в цикле")
    w.add_argument("--interval", type=int, default=None, help="секунд между загрузками")
    w.set_defaults(func=cmd_etl_watch)

    notify = sub.add_parser("notify", help="уведомления родителям и студентам по эл. почте").add_subparsers(
        dest="notify_command", required=True
    )
    nr = notify.add_parser("run", help="поставить в очередь положенные уведомления и отправить очередь")
    nr.add_argument("--no-send", action="store_true", help="только поставить в очередь, не отправлять")
    nr.add_argument("--watch", action="store_true", help="повторять каждые EJOURNAL_NOTIFY_INTERVAL_SECONDS")
    nr.set_defaults(func=cmd_notify_run)
    ns = notify.add_parser("status", help="очередь уведомлений: сколько ждёт, отправлено, не доставлено")
    ns.set_defaults(func=cmd_notify_status)

    user = sub.add_parser("user", help="учётные записи").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="создать учётную запись с временным паролем")
    add.add_argument("--login", required=True)
    add.add_argument("--name", required=True, help="ФИО")
    add.add_argument(
        "--role",
        action="append",
        required=True,
        choices=[r.value for r in Role],
        help="роль (можно несколько раз; куратора назначают группе: ejournal user grant)",
    )
    add.add_argument("--college-id", type=int, default=None)
    add.add_argument("--new-college", default=None, help="создать колледж с этим названием")
    add.set_defaults(func=cmd_user_add)
    ls = user.add_parser("list", help="учётные записи (с ролями и состоянием)")
    ls.add_argument("--role", choices=[r.value for r in Role], default=None)
    ls.add_argument("--find", default=None, help="часть логина или ФИО")
    ls.add_argument("--college-id", type=int, default=None)
    ls.set_defaults(func=cmd_user_list)
    show = user.add_parser("show", help="роли и состояние учётной записи")
    show.add_argument("login")
    show.set_defaults(func=cmd_user_show)
    staff = [r.value for r in GRANTABLE_ROLES]
    for name, grant, verb in (("grant", True, "выдать"), ("revoke", False, "снять")):
        g = user.add_parser(name, help=f"{verb} роль (curator — куратор группы, с --group)")
        g.add_argument("login")
        g.add_argument("role", choices=staff)
        g.add_argument("--group", default=None, help="группа куратора, например ИСП-41")
        g.add_argument("--reason", default=CLI_REASON, help="причина (в журнал аудита)")
        g.set_defaults(func=cmd_user_role, grant=grant)
    for name, active, verb in (("enable", True, "включить"), ("disable", False, "отключить")):
        e = user.add_parser(name, help=f"{verb} учётную запись")
        e.add_argument("login")
        e.add_argument("--reason", default=CLI_REASON, help="причина (в журнал аудита)")
        e.set_defaults(func=cmd_user_active, active=active)
    for name, func, text in (
        ("unlock", cmd_user_unlock, "снять блокировку после неудачных входов"),
        ("reset", cmd_user_reset, "выдать новый временный пароль"),
    ):
        c = user.add_parser(name, help=text)
        c.add_argument("login")
        c.add_argument("--reason", default=CLI_REASON, help="причина (в журнал аудита)")
        c.set_defaults(func=func)
    sessions = user.add_parser("sessions", help="открытые сеансы учётной записи")
    sessions.add_argument("login")
    sessions.set_defaults(func=cmd_user_sessions)
    out = user.add_parser("logout", help="завершить сеансы учётной записи (все или --session ID)")
    out.add_argument("login")
    out.add_argument("--session", default=None, help="номер сеанса из ejournal user sessions")
    out.add_argument("--reason", default=CLI_REASON, help="причина (в журнал аудита)")
    out.set_defaults(func=cmd_user_logout)

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

    serve = sub.add_parser(
        "serve",
        help="запустить веб-приложение (Streamlit); параметры Streamlit передаются ему: --server.port 8600",
    )
    serve.set_defaults(func=cmd_serve, streamlit_args=[])
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


if __name__ == "__main__":
    main()
