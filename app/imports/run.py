"""One import in progress (Run): the references it resolves, what it counts, how a row is upserted;
and the result the caller gets (ImportResult)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import text as sql
from sqlmodel import Session, select

from app.actor import Actor
from app.domain import full_name
from app.imports.cells import norm
from app.imports.readers import Issue
from app.imports.schemas import (
    Record,
    Schema,
)
from app.models import (
    StudyGroup,
    Subject,
    Teacher,
)
from app.settings import get_settings

T = TypeVar("T")
ADDED, CHANGED, UNCHANGED = "added", "changed", "unchanged"


@dataclass(frozen=True)
class Credential:
    full_name: str
    login: str
    password: str


@dataclass
class ImportResult:
    kind: str
    title: str
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)
    description: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # extra counters (history: lessons, marks …)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if not self.ok:
            return (
                f"Файл не импортирован: ошибок {len(self.errors)}. Ничего не записано — исправьте ошибки "
                "и загрузите файл снова."
            )
        return (
            f"Импорт «{self.title}»: строк {self.rows}; добавлено {self.added}, изменено {self.changed}, "
            f"без изменений {self.unchanged}."
        )


# --------------------------------------------------------------------------- references


class TeacherIndex:
    """Teachers by full name, and by «Фамилия И. О.»."""

    def __init__(self, teachers: list[Teacher]) -> None:
        self.by_full: dict[str, list[Teacher]] = defaultdict(list)
        self.by_initials: dict[tuple[str, str], list[Teacher]] = defaultdict(list)
        for t in teachers:
            self.add(t)

    def add(self, t: Teacher) -> None:
        self.by_full[norm(full_name(t.last_name, t.first_name, t.middle_name))].append(t)
        initials = "".join(norm(p)[:1] for p in (t.first_name, t.middle_name) if p)
        self.by_initials[(norm(t.last_name), initials)].append(t)

    def find(self, name: str) -> Teacher:
        matches = self.by_full.get(norm(name), [])
        if not matches:
            parts = name.replace(".", ". ").split()
            if len(parts) >= 2 and all(len(p.rstrip(".")) == 1 for p in parts[1:]):
                initials = "".join(norm(p)[:1] for p in parts[1:])
                matches = self.by_initials.get((norm(parts[0]), initials), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValueError(
                f"Преподавателей «{name}» в системе несколько: укажите фамилию, имя и отчество полностью."
            )
        raise ValueError(
            f"Преподаватель «{name}» не найден: проверьте ФИО или сначала импортируйте преподавателей."
        )


class References:
    """The college's groups, teachers and subjects, loaded once per import."""

    def __init__(self, session: Session, college_id: int) -> None:
        self.session = session
        self.college_id = college_id
        self._groups: dict[str, StudyGroup] | None = None
        self._teachers: TeacherIndex | None = None
        self._subjects: dict[str, list[Subject]] | None = None

    def groups(self) -> dict[str, StudyGroup]:
        if self._groups is None:
            rows = self.session.exec(select(StudyGroup).where(StudyGroup.college_id == self.college_id))
            self._groups = {norm(g.name): g for g in rows}
        return self._groups

    def teachers(self) -> TeacherIndex:
        if self._teachers is None:
            rows = self.session.exec(select(Teacher).where(Teacher.college_id == self.college_id))
            self._teachers = TeacherIndex(list(rows))
        return self._teachers

    def subjects(self) -> dict[str, list[Subject]]:
        if self._subjects is None:
            found: dict[str, list[Subject]] = defaultdict(list)
            for s in self.session.exec(select(Subject).where(Subject.college_id == self.college_id)):
                found[norm(s.code)].append(s)
            self._subjects = found
        return self._subjects

    def resolve(self, ref: str, value: Any) -> Any:
        if ref == "group":
            group = self.groups().get(norm(value))
            if group is None:
                raise ValueError(
                    f"Группа «{value}» не найдена: проверьте название или сначала импортируйте группы."
                )
            return group
        if ref == "teacher":
            return self.teachers().find(value)
        if ref == "subject":
            subjects = self.subjects().get(norm(value), [])
            if len(subjects) > 1:
                raise ValueError(
                    f"Дисциплин с кодом «{value}» в системе несколько: код должен быть единственным."
                )
            if not subjects:
                raise ValueError(
                    f"Дисциплина с кодом «{value}» не найдена: проверьте код или сначала импортируйте дисциплины."
                )
            return subjects[0]
        raise KeyError(ref)


class Run:
    """One import in progress: where it writes, what it found, what it counted."""

    def __init__(self, session: Session, college_id: int, actor: Actor | None, result: ImportResult) -> None:
        self.session = session
        self.college_id = college_id
        self.actor = actor
        self.result = result
        self.refs = References(session, college_id)
        self.today = _today(session)

    def error(self, record: Record, schema: Schema, key: str, message: str) -> None:
        self.result.errors.append(Issue(record.row, schema.column(key).header, message))

    def count(self, outcome: str) -> None:
        if outcome == ADDED:
            self.result.added += 1
        elif outcome == CHANGED:
            self.result.changed += 1
        else:
            self.result.unchanged += 1

    def add(self, obj: Any) -> Any:
        self.session.add(obj)
        self.session.flush()  # the new row's id is needed by the rows that follow
        return obj


def _today(session: Session) -> date:
    tz = get_settings().timezone
    value = session.execute(sql("SELECT (now() AT TIME ZONE :tz)::date"), {"tz": tz}).scalar_one()
    assert isinstance(value, date)
    return value


def pk(obj: Any) -> int:
    """The id of a row that is in the database (flushed)."""
    assert obj.id is not None
    return int(obj.id)


def assign(obj: Any, fields: dict[str, Any]) -> bool:
    """Set the fields that differ; True when anything changed."""
    changed = False
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    if changed:
        obj_session = Session.object_session(obj)
        if obj_session is not None:
            obj_session.add(obj)
    return changed


def upsert(run: Run, existing: T | None, make: Callable[[], T], fields: dict[str, Any]) -> tuple[T, str]:
    """The existing row updated with `fields`, or a new one made by `make`; and what happened."""
    if existing is None:
        return run.add(make()), ADDED
    return existing, CHANGED if assign(existing, fields) else UNCHANGED
