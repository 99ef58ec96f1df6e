"""What `ejournal import …` does; app/cli/exchange.py only wires the arguments."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlmodel import Session, col, select

from app.imports.readers import MAX_BYTES, too_big_message
from app.imports.run import ImportResult


def _college_id(session: Session, wanted: int | None) -> int:
    from app.models import College

    if wanted is not None:
        if session.get(College, wanted) is None:
            sys.exit(f"Колледж №{wanted} не найден.")
        return wanted
    colleges = session.exec(select(College)).all()
    if len(colleges) == 1 and colleges[0].id is not None:
        return colleges[0].id
    names = "; ".join(f"{c.id}: {c.name}" for c in colleges) or "колледжей нет"
    sys.exit(f"Укажите --college-id ({names}).")


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError:
        sys.exit(f"Файл {path} не найден или недоступен.")
    if size > MAX_BYTES:  # refused before the file is read into memory
        sys.exit(too_big_message())
    return path.read_bytes()


def _report(result: ImportResult, summary: str) -> None:
    if result.ok:
        if result.description:
            print(f"Файл прочитан: {result.description}.")
        print(summary)
        for note in result.notes:
            print(note)
        return
    print(result.summary(), file=sys.stderr)
    for issue in result.errors:
        where = f"строка {issue.row}" if issue.row is not None else "файл"
        column = f", «{issue.column}»" if issue.column else ""
        print(f"  {where}{column}: {issue.message}", file=sys.stderr)
    sys.exit(1)


def import_kind(kind: str, path: Path, college_id: int | None) -> None:
    from app.db import get_engine
    from app.imports.service import import_file

    data = _read(path)
    with Session(get_engine()) as session:
        result = import_file(
            kind, data, path.name, session=session, college_id=_college_id(session, college_id)
        )
    _report(result, result.summary())
    if result.credentials:
        print(
            "\nСозданы учётные записи с временными паролями (показываются один раз; сменить при первом входе):"
        )
        for c in result.credentials:
            print(f"  {c.full_name}\t{c.login}\t{c.password}")


def import_history_file(path: Path, college_id: int | None, login: str | None) -> None:
    from app.actor import load_actor
    from app.db import get_owner_engine
    from app.domain import Role
    from app.errors import DomainError
    from app.imports.history import history_summary, import_history
    from app.models import UserAccount, UserRole

    data = _read(path)
    # The owner's connection: the lesson-day triggers bind the app role, and history is past days.
    with Session(get_owner_engine()) as session:
        college = _college_id(session, college_id)
        query = select(UserAccount).where(UserAccount.college_id == college, UserAccount.is_active)
        if login:
            users = session.exec(query.where(UserAccount.login == login.strip().lower())).all()
            if not users:
                sys.exit(f"Учётная запись «{login}» в колледже №{college} не найдена.")
        else:
            users = session.exec(
                query.join(UserRole, col(UserRole.user_id) == UserAccount.id).where(
                    UserRole.role == Role.officer.value
                )
            ).all()
            if len(users) != 1:
                sys.exit(
                    "Укажите --login: от чьего имени перенести историю (ответственный за электронный журнал)."
                )
        assert users[0].id is not None
        try:
            actor = load_actor(users[0].id, session=session)
        except DomainError as exc:
            sys.exit(exc.message)
        result = import_history(data, path.name, session=session, college_id=college, actor=actor)
    _report(result, history_summary(result))


def write_template(kind: str, path: Path) -> None:
    from app.imports.templates import template_xlsx

    path.write_bytes(template_xlsx(kind))
    print(f"Шаблон записан: {path}")
