"""`ejournal user`: accounts from the server's shell, audited with the OS user."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any


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


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from app.domain import GRANTABLE_ROLES, Role

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
