"""Importing a file: validate every row, then upsert by natural keys — all or nothing.

One import is one transaction under a per-college advisory lock. Any error anywhere rolls the whole
file back and returns every error found (row, column, what to fix); the refusal is audited with the
error count. A clean file is written and audited as `import.<kind>` with its counts. Re-importing the
same file finds every row unchanged.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import text as sql
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.calendar import Half, check_period, check_session
from app.db import db_now
from app.domain import KtpSource, KtpStatus, Role, SubjectKind, fmt_date, full_name
from app.errors import AccessDenied, DomainError
from app.imports.cells import norm, parse_phone
from app.imports.readers import Issue, read_table
from app.imports.schemas import (
    SCHEMAS,
    Record,
    Schema,
    match_headers,
    parse_rows,
)
from app.models import (
    CalendarPeriod,
    CurriculumItem,
    Guardian,
    Module,
    Speciality,
    Student,
    StudentGuardian,
    StudyGroup,
    Subject,
    Teacher,
    TimetableSlot,
    UserAccount,
    UserRole,
)
from app.passwords import hash_password
from app.services import ktp
from app.services.accounts import generate_initial_password
from app.settings import get_settings

# pg_advisory_xact_lock(IMPORT_LOCK, college_id): one import per college at a time, so two concurrent
# imports of one file cannot both add the same rows (subjects and teachers have no unique index).
IMPORT_LOCK = 0x1A4F
T = TypeVar("T")
ADDED, CHANGED, UNCHANGED = "added", "changed", "unchanged"
OFFICER_ONLY = "Импортировать данные может только ответственный за электронный журнал."
CALENDAR_ONLY = (
    "Загружать учебный календарь могут заместитель директора и ответственный за электронный журнал."
)


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


class _Rejected(Exception):
    """The file has errors: roll everything back."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def lock_college(session: Session, college_id: int) -> None:
    session.execute(
        sql("SELECT pg_advisory_xact_lock(:lock, :college)"), {"lock": IMPORT_LOCK, "college": college_id}
    )


def refuse(
    session: Session,
    actor: Actor | None,
    action: str,
    college_id: int,
    message: str,
    details: dict[str, Any],
) -> None:
    """Roll the import back and audit the refusal on its own."""
    session.rollback()
    audit.record(
        session, actor, action, outcome="refused", message=message, details=details, college_id=college_id
    )
    session.commit()


def import_file(
    kind: str,
    data: bytes,
    filename: str,
    *,
    session: Session,
    college_id: int,
    actor: Actor | None = None,
) -> ImportResult:
    """Import one file of `kind` into the college. `actor` None: the command line (the administrator)."""

    def authorize() -> None:
        if actor is None:
            return
        # the calendar is the deputy director's (app.calendar), the reference data the officer's
        may = actor.has(Role.officer, Role.deputy) if kind == "calendar" else actor.has(Role.officer)
        if not may or actor.college_id != college_id:
            raise AccessDenied(CALENDAR_ONLY if kind == "calendar" else OFFICER_ONLY)

    return execute(
        SCHEMAS[kind],
        data,
        filename,
        session=session,
        college_id=college_id,
        actor=actor,
        apply=APPLY[kind],
        authorize=authorize,
    )


def execute(
    schema: Schema,
    data: bytes,
    filename: str,
    *,
    session: Session,
    college_id: int,
    actor: Actor | None,
    apply: Callable[[Run, list[Record]], None],
    authorize: Callable[[], None] | None = None,
    check_keys: bool = True,
) -> ImportResult:
    """Read, check and apply a file in one transaction; audit `import.<kind>` accepted or refused."""
    action = f"import.{schema.kind}"
    result = ImportResult(schema.kind, schema.title)
    details: dict[str, Any] = {"file": filename[-200:], "sha256": sha256(data), "bytes": len(data)}
    try:
        if authorize is not None:
            authorize()
        table = read_table(data, filename)
        result.description = table.description
        result.rows = len(table.rows)
        lock_college(session, college_id)
        run = Run(session, college_id, actor, result)
        columns, issues = match_headers(schema, table)
        result.errors.extend(issues)
        if not issues:
            records, issues = parse_rows(schema, table, columns, run.refs.resolve, check_keys=check_keys)
            result.errors.extend(issues)
            with session.no_autoflush:
                apply(run, records)
            session.flush()
        if result.errors:
            raise _Rejected
        details.update(
            rows=result.rows, added=result.added, changed=result.changed, unchanged=result.unchanged
        )
        details.update(result.counts)
        if result.credentials:
            details["accounts"] = len(result.credentials)
        audit.record(session, actor, action, entity=schema.kind, details=details, college_id=college_id)
        session.commit()
    except _Rejected:
        result.errors.sort(key=lambda i: (i.row or 0, _column_order(schema, i.column)))
        _clear(result)
        refuse(
            session, actor, action, college_id, result.summary(), {**details, "errors": len(result.errors)}
        )
    except DomainError as exc:  # the file as a whole (FileRefused), or access
        result.errors = [Issue(None, "", exc.message)]
        _clear(result)
        refuse(session, actor, action, college_id, exc.message, {**details, "errors": 1})
        if isinstance(exc, AccessDenied):
            raise
    except IntegrityError:
        message = "Данные изменились во время импорта: повторите импорт."
        result.errors = [Issue(None, "", message)]
        _clear(result)
        refuse(session, actor, action, college_id, message, {**details, "errors": 1})
    except BaseException:
        session.rollback()
        raise
    return result


def _clear(result: ImportResult) -> None:
    """A refused import wrote nothing: no counts, and no passwords of accounts that do not exist."""
    result.added = result.changed = result.unchanged = 0
    result.counts.clear()
    result.credentials.clear()
    result.notes.clear()


def _column_order(schema: Schema, header: str) -> int:
    for i, c in enumerate(schema.columns):
        if c.header == header:
            return i
    return -1


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


# --------------------------------------------------------------------------- the kinds


def _teachers(run: Run, records: list[Record]) -> None:
    schema = SCHEMAS["teachers"]
    index = run.refs.teachers()
    wanted = [r.values["login"] for r in records if r.values.get("login")]
    taken = {
        login: uid
        for login, uid in run.session.exec(
            select(UserAccount.login, UserAccount.id).where(col(UserAccount.login).in_(wanted))
        )
    }
    login_rows: dict[str, int] = {}
    settings = get_settings()
    for r in records:
        v = r.values
        name = full_name(v["last_name"], v["first_name"], v["middle_name"])
        matches = index.by_full.get(norm(name), [])
        if len(matches) > 1:
            run.error(
                r,
                schema,
                "last_name",
                f"Преподавателей «{name}» в системе уже несколько: уточните данные вручную.",
            )
            continue
        fields = {"position": v["position"]} if "position" in r.present else {}
        teacher, outcome = upsert(
            run,
            matches[0] if matches else None,
            partial(
                Teacher,
                college_id=run.college_id,
                last_name=v["last_name"],
                first_name=v["first_name"],
                middle_name=v["middle_name"],
                position=v["position"] or "преподаватель",
            ),
            fields,
        )
        if not matches:
            index.add(teacher)
        login = v.get("login")
        if login:
            if login in login_rows:
                run.error(r, schema, "login", f"Логин «{login}» уже указан в строке {login_rows[login]}.")
                continue
            login_rows[login] = r.row
            if teacher.user_id is not None:
                current = run.session.get(UserAccount, teacher.user_id)
                if current is not None and current.login != login:
                    run.error(
                        r,
                        schema,
                        "login",
                        f"У преподавателя уже есть учётная запись «{current.login}»: импорт логин не меняет.",
                    )
                    continue
            elif login in taken:
                run.error(r, schema, "login", f"Логин «{login}» уже занят: выберите другой.")
                continue
            else:
                password = generate_initial_password()
                user = run.add(
                    UserAccount(
                        college_id=run.college_id,
                        login=login,
                        password_hash=hash_password(password),
                        full_name=name,
                        must_change_password=True,
                        password_expires_at=db_now(run.session)
                        + timedelta(days=settings.initial_password_days),
                    )
                )
                run.add(UserRole(user_id=user.id, role=Role.teacher.value))
                teacher.user_id = user.id
                run.session.add(teacher)
                audit.record(
                    run.session,
                    run.actor,
                    "user.create",
                    entity="user_account",
                    entity_id=user.id,
                    college_id=run.college_id,
                    details={"login": login, "roles": [Role.teacher.value], "via": "import.teachers"},
                )
                run.result.credentials.append(Credential(name, login, password))
                outcome = ADDED if outcome == ADDED else CHANGED
        run.count(outcome)


def _groups(run: Run, records: list[Record]) -> None:
    schema = SCHEMAS["groups"]
    specialities = {
        s.code: s for s in run.session.exec(select(Speciality).where(Speciality.college_id == run.college_id))
    }
    groups = run.refs.groups()
    for r in records:
        v = r.values
        if v["admission_year"] > run.today.year + 1:
            run.error(r, schema, "admission_year", f"Год набора {v['admission_year']} ещё не наступил.")
            continue
        spec = specialities.get(v["speciality_code"])
        if spec is None:
            if not v.get("speciality_name"):
                run.error(
                    r,
                    schema,
                    "speciality_code",
                    f"Специальность {v['speciality_code']} не найдена: укажите её название в столбце "
                    "«Специальность», и она будет создана.",
                )
                continue
            spec = run.add(
                Speciality(college_id=run.college_id, code=v["speciality_code"], name=v["speciality_name"])
            )
            specialities[spec.code] = spec
            run.result.notes.append(f"Создана специальность {spec.code} «{spec.name}».")
        fields: dict[str, Any] = {"speciality_id": spec.id, "admission_year": v["admission_year"]}
        if "curator" in r.present:
            fields["curator_teacher_id"] = v["curator"].id if v["curator"] else None
        group, outcome = upsert(
            run,
            groups.get(norm(v["name"])),
            partial(StudyGroup, college_id=run.college_id, name=v["name"], **fields),
            fields,
        )
        groups[norm(group.name)] = group
        run.count(outcome)


def _person_key(last: str, first: str, middle: str) -> str:
    return norm(full_name(last, first, middle))


def _students(run: Run, records: list[Record]) -> None:
    schema = SCHEMAS["students"]
    by_person: dict[tuple[str, date | None], list[Student]] = defaultdict(list)
    for s in run.session.exec(select(Student).where(Student.college_id == run.college_id)):
        by_person[(_person_key(s.last_name, s.first_name, s.middle_name), s.birth_date)].append(s)
    group_names = {g.id: g.name for g in run.refs.groups().values()}
    for r in records:
        v = r.values
        group: StudyGroup = v["group"]
        name = full_name(v["last_name"], v["first_name"], v["middle_name"])
        birth: date = v["birth_date"]
        if birth >= run.today or birth.year < 1930:
            run.error(r, schema, "birth_date", f"Дата рождения {fmt_date(birth)} невозможна: проверьте год.")
            continue
        same = by_person[(norm(name), birth)]
        here = [s for s in same if s.study_group_id == group.id]
        elsewhere = [s for s in same if s.study_group_id != group.id and s.left_on is None]
        if elsewhere and not here:
            other = group_names.get(elsewhere[0].study_group_id, "другой группе")
            run.error(
                r,
                schema,
                "group",
                f"Студент {name} ({fmt_date(birth)}) уже числится в группе «{other}»: перевод в другую группу "
                "оформляется приказом, импорт его не выполняет.",
            )
            continue
        fields: dict[str, Any] = {}
        if "subgroup" in r.present:
            fields["subgroup"] = v["subgroup"] or 1
        if "enrolled_on" in r.present and v["enrolled_on"] is not None:
            fields["enrolled_on"] = v["enrolled_on"]
        student, outcome = upsert(
            run,
            here[0] if here else None,
            partial(
                Student,
                college_id=run.college_id,
                study_group_id=pk(group),
                last_name=v["last_name"],
                first_name=v["first_name"],
                middle_name=v["middle_name"],
                birth_date=birth,
                subgroup=v["subgroup"] or 1,
                enrolled_on=v["enrolled_on"] or date(group.admission_year, 9, 1),
            ),
            fields,
        )
        if not here:
            same.append(student)
        run.count(outcome)


def _phone_key(phone: str) -> str:
    try:
        return parse_phone(phone)
    except ValueError:
        return phone


def _guardians(run: Run, records: list[Record]) -> None:
    schema = SCHEMAS["guardians"]
    students: dict[tuple[int, str], list[Student]] = defaultdict(list)
    for s in run.session.exec(select(Student).where(Student.college_id == run.college_id)):
        students[(s.study_group_id, _person_key(s.last_name, s.first_name, s.middle_name))].append(s)
    guardians: dict[tuple[str, str], Guardian] = {}
    for g in run.session.exec(select(Guardian).where(Guardian.college_id == run.college_id)):
        guardians.setdefault((_person_key(g.last_name, g.first_name, g.middle_name), _phone_key(g.phone)), g)
    links = {
        (link.student_id, link.guardian_id): link
        for link in run.session.exec(
            select(StudentGuardian)
            .join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id)
            .where(Guardian.college_id == run.college_id)
        )
    }
    email_rows: dict[int, tuple[str, int]] = {}
    for r in records:
        v = r.values
        group: StudyGroup = v["group"]
        candidates = students.get((pk(group), norm(v["student"])), [])
        if v.get("student_birth_date"):
            candidates = [s for s in candidates if s.birth_date == v["student_birth_date"]]
        if not candidates:
            run.error(
                r,
                schema,
                "student",
                f"В группе «{group.name}» нет студента «{v['student']}»"
                + (
                    f" с датой рождения {fmt_date(v['student_birth_date'])}"
                    if v.get("student_birth_date")
                    else ""
                )
                + ": проверьте ФИО или сначала импортируйте студентов.",
            )
            continue
        if len(candidates) > 1:
            run.error(
                r,
                schema,
                "student",
                f"В группе «{group.name}» несколько студентов «{v['student']}»: укажите «Дата рождения студента».",
            )
            continue
        student = candidates[0]
        name_key = _person_key(v["last_name"], v["first_name"], v["middle_name"])
        fields: dict[str, Any] = {}
        if "email" in r.present:
            fields["email"] = v["email"] or ""
        guardian, outcome = upsert(
            run,
            guardians.get((name_key, v["phone"])),
            partial(
                Guardian,
                college_id=run.college_id,
                last_name=v["last_name"],
                first_name=v["first_name"],
                middle_name=v["middle_name"],
                phone=v["phone"],
                email=v["email"] or "",
            ),
            fields,
        )
        guardians[(name_key, v["phone"])] = guardian
        if "email" in r.present:
            earlier = email_rows.setdefault(pk(guardian), (fields["email"], r.row))
            if earlier[0] != fields["email"]:
                run.error(
                    r,
                    schema,
                    "email",
                    f"Для этого родителя в строке {earlier[1]} указан другой email: исправьте.",
                )
                continue
        link = links.get((pk(student), pk(guardian)))
        if link is None:
            links[(pk(student), pk(guardian))] = run.add(
                StudentGuardian(
                    student_id=pk(student), guardian_id=pk(guardian), relation=v["relation"] or "родитель"
                )
            )
            outcome = ADDED
        elif "relation" in r.present and assign(link, {"relation": v["relation"] or "родитель"}):
            outcome = CHANGED if outcome == UNCHANGED else outcome
        run.count(outcome)


def _subjects(run: Run, records: list[Record]) -> None:
    schema = SCHEMAS["subjects"]
    specialities = {
        s.code: s for s in run.session.exec(select(Speciality).where(Speciality.college_id == run.college_id))
    }
    modules = {
        (m.speciality_id, norm(m.code)): m
        for m in run.session.exec(select(Module).where(Module.college_id == run.college_id))
    }
    subjects = run.refs.subjects()
    for r in records:
        v = r.values
        kind: SubjectKind = v["kind"] or SubjectKind.discipline
        module: Module | None = None
        module_changed = False
        if v.get("module"):
            if kind == SubjectKind.discipline:
                run.error(
                    r,
                    schema,
                    "module",
                    "Дисциплина не входит в профессиональный модуль: очистите «Модуль» или укажите вид "
                    "МДК, Учебная практика или Производственная практика.",
                )
                continue
            if not v.get("speciality_code"):
                run.error(
                    r,
                    schema,
                    "speciality_code",
                    f"Модуль {v['module']} относится к специальности: укажите её код в столбце «Код специальности».",
                )
                continue
            spec = specialities.get(v["speciality_code"])
            if spec is None:
                run.error(
                    r,
                    schema,
                    "speciality_code",
                    f"Специальность {v['speciality_code']} не найдена: сначала импортируйте группы этой специальности.",
                )
                continue
            module = modules.get((pk(spec), norm(v["module"])))
            if module is None:
                if not v.get("module_name"):
                    run.error(
                        r,
                        schema,
                        "module_name",
                        f"Модуля {v['module']} у специальности {spec.code} ещё нет: укажите его название в "
                        "столбце «Название модуля», и он будет создан.",
                    )
                    continue
                module = run.add(
                    Module(
                        college_id=run.college_id,
                        speciality_id=pk(spec),
                        code=v["module"],
                        name=v["module_name"],
                    )
                )
                modules[(pk(spec), norm(module.code))] = module
                run.result.notes.append(f"Создан модуль {module.code} «{module.name}».")
            elif v.get("module_name"):
                module_changed = assign(module, {"name": v["module_name"]})
        existing = subjects.get(norm(v["code"]), [])
        if len(existing) > 1:
            run.error(
                r, schema, "code", f"Дисциплин с кодом «{v['code']}» в системе несколько: исправьте вручную."
            )
            continue
        fields: dict[str, Any] = {"name": v["name"], "kind": kind.value}
        if "module" in r.present:
            fields["module_id"] = module.id if module else None
        subject, outcome = upsert(
            run,
            existing[0] if existing else None,
            partial(Subject, college_id=run.college_id, code=v["code"], **fields),
            fields,
        )
        if not existing:
            subjects[norm(subject.code)].append(subject)
        if module_changed and outcome == UNCHANGED:
            outcome = CHANGED
        run.count(outcome)


def _curriculum_items(run: Run) -> dict[tuple[int, int, int], CurriculumItem]:
    return {
        (c.study_group_id, c.subject_id, c.semester): c
        for c in run.session.exec(select(CurriculumItem).where(CurriculumItem.college_id == run.college_id))
    }


def _curriculum(run: Run, records: list[Record]) -> None:
    items = _curriculum_items(run)
    for r in records:
        v = r.values
        key = (v["group"].id, v["subject"].id, v["semester"])
        fields: dict[str, Any] = {"planned_hours": v["hours"], "attestation_form": v["form"].value}
        if "year_mark" in r.present:
            fields["year_mark"] = v["year_mark"]
        if "teacher" in r.present:
            fields["teacher_id"] = v["teacher"].id if v["teacher"] else None
        item, outcome = upsert(
            run,
            items.get(key),
            partial(
                CurriculumItem,
                college_id=run.college_id,
                study_group_id=v["group"].id,
                subject_id=v["subject"].id,
                semester=v["semester"],
                **fields,
            ),
            fields,
        )
        items[key] = item
        run.count(outcome)


def _ktp(run: Run, records: list[Record]) -> None:
    """Each curriculum item the file changes gets a new approved version of its КТП (app.services.ktp):
    the approved topics with the file's rows upserted by «№»; an item the file leaves as it is keeps
    its version."""
    schema = SCHEMAS["ktp"]
    items = _curriculum_items(run)
    by_id = {pk(i): i for i in items.values()}
    approved = {
        item_id: {t.position: t for t in topics}
        for item_id, topics in ktp.approved_topics(run.session, list(by_id)).items()
    }
    plans: dict[int, dict[int, ktp.Topic]] = {}
    touched: list[int] = []
    for r in records:
        v = r.values
        item = items.get((v["group"].id, v["subject"].id, v["semester"]))
        if item is None:
            run.error(
                r,
                schema,
                "subject",
                f"В учебном плане группы «{v['group'].name}» нет «{v['subject'].code}» в {v['semester']} "
                "семестре: сначала импортируйте учебный план.",
            )
            continue
        current = approved.get(pk(item), {})
        old = current.get(v["position"])
        topic = ktp.Topic(
            position=v["position"],
            title=v["title"],
            hours=_ktp_cell(r, old, "hours", 2),
            section=_ktp_cell(r, old, "section", ""),
            lesson_kind=_ktp_cell(r, old, "lesson_kind", None),
            homework=_ktp_cell(r, old, "homework", ""),
        )
        outcome = ADDED if old is None else UNCHANGED if old.content() == topic.content() else CHANGED
        plans.setdefault(pk(item), dict(current))[topic.position] = topic
        if outcome != UNCHANGED and pk(item) not in touched:
            touched.append(pk(item))
        run.count(outcome)
    if run.result.errors:
        return
    made: list[str] = []
    off: list[str] = []
    groups = {g.id: g.name for g in run.refs.groups().values()}
    codes = {s.id: s.code for found in run.refs.subjects().values() for s in found}
    for item_id in touched:
        item = by_id[item_id]
        topics = [plans[item_id][p] for p in sorted(plans[item_id])]
        version, _ = ktp.write_version(
            run.session, run.actor, item, topics, status=KtpStatus.approved, source=KtpSource.imported
        )
        name = (
            f"{groups.get(item.study_group_id, '')} · {codes.get(item.subject_id, '')}, {item.semester} сем."
        )
        made.append(f"{name} — версия {version.number}")
        problem = ktp.hours_problem(sum(t.hours for t in topics), item.planned_hours)
        if problem:
            off.append(f"{name}: {problem}")
    if made:
        run.result.counts["ktp_versions"] = len(made)
        run.result.notes.append("Утверждены новые версии КТП: " + _listed(made) + ".")
    if off:
        run.result.notes.append(
            "Часы КТП не совпадают с учебным планом (преподаватель исправит КТП на странице «КТП»): "
            + _listed(off, sep="; ")
        )


def _ktp_cell(record: Record, old: ktp.Topic | None, key: str, empty: Any) -> Any:
    """The file's value; for a column the file lacks, the approved topic's (or the default)."""
    if key in record.present or old is None:
        return record.values[key] or empty
    return getattr(old, key)


def _listed(parts: list[str], *, limit: int = 10, sep: str = ", ") -> str:
    shown = sep.join(parts[:limit])
    return shown + (f" и ещё {len(parts) - limit}" if len(parts) > limit else "")


def _timetable(run: Run, records: list[Record]) -> None:
    schema = SCHEMAS["timetable"]
    slots: dict[tuple[int, int, int, int, date, int], TimetableSlot] = {}
    for s in run.session.exec(
        select(TimetableSlot)
        .where(TimetableSlot.college_id == run.college_id)
        .order_by(col(TimetableSlot.id))
    ):
        slots.setdefault(
            (s.study_group_id, s.subgroup, s.weekday, s.pair_number, s.valid_from, s.week_parity), s
        )
    for r in records:
        v = r.values
        if v["valid_to"] < v["valid_from"]:
            run.error(
                r,
                schema,
                "valid_to",
                f"«Действует по» ({fmt_date(v['valid_to'])}) раньше «Действует с» ({fmt_date(v['valid_from'])}).",
            )
            continue
        key = (v["group"].id, v["subgroup"] or 0, v["weekday"], v["pair"], v["valid_from"], v["week"] or 0)
        fields: dict[str, Any] = {
            "subject_id": v["subject"].id,
            "teacher_id": v["teacher"].id,
            "valid_to": v["valid_to"],
        }
        if "room" in r.present:
            fields["room"] = v["room"] or ""
        slot, outcome = upsert(
            run,
            slots.get(key),
            partial(
                TimetableSlot,
                college_id=run.college_id,
                study_group_id=v["group"].id,
                subgroup=key[1],
                weekday=v["weekday"],
                pair_number=v["pair"],
                valid_from=v["valid_from"],
                week_parity=key[5],
                **fields,
            ),
            fields,
        )
        slots[key] = slot
        run.count(outcome)


def _calendar(run: Run, records: list[Record]) -> None:
    """Sessions replace the half's (one per half); other periods upsert by year, kind and first day.
    The checks are the «Учебный календарь» page's (app.calendar.check_session / check_period)."""
    schema = SCHEMAS["calendar"]
    rows = list(run.session.exec(select(CalendarPeriod).where(CalendarPeriod.college_id == run.college_id)))
    sessions = {(r.academic_year, r.half): r for r in rows if r.kind == "session"}
    periods = {(r.academic_year, r.kind, r.starts_on): r for r in rows if r.kind != "session"}
    seen: set[tuple[int, int]] = set()
    by = run.actor.user_id if run.actor else None
    for r in records:
        v = r.values
        year, kind, starts, ends = v["year"], v["kind"], v["starts_on"], v["ends_on"]
        try:
            if kind == "session":
                if v["half"] is None:
                    run.error(r, schema, "half", "Для сессии укажите полугодие: 1 — зимняя, 2 — летняя.")
                    continue
                half = Half(year, v["half"])
                if (year, half.half) in seen:
                    run.error(r, schema, "half", "Сессия этого полугодия уже указана в файле выше.")
                    continue
                seen.add((year, half.half))
                check_session(half, starts, ends)
                title = v["title"] or ("Зимняя сессия" if half.half == 1 else "Летняя сессия")
                fields: dict[str, Any] = {"starts_on": starts, "ends_on": ends, "title": title}
                row, outcome = upsert(
                    run,
                    sessions.get((year, half.half)),
                    partial(CalendarPeriod, college_id=run.college_id, academic_year=year, half=half.half,
                            kind="session", updated_by_user_id=by, **fields),
                    fields,
                )  # fmt: skip
                sessions[year, half.half] = row
            else:
                title = check_period(year, kind, starts, ends, v["title"])
                fields = {"ends_on": ends, "title": title}
                row, outcome = upsert(
                    run,
                    periods.get((year, kind, starts)),
                    partial(CalendarPeriod, college_id=run.college_id, academic_year=year, kind=kind,
                            starts_on=starts, updated_by_user_id=by, **fields),
                    fields,
                )  # fmt: skip
                periods[year, kind, starts] = row
        except DomainError as exc:
            run.error(r, schema, "starts_on", exc.message)
            continue
        run.count(outcome)


APPLY: dict[str, Callable[[Run, list[Record]], None]] = {
    "teachers": _teachers,
    "groups": _groups,
    "students": _students,
    "guardians": _guardians,
    "subjects": _subjects,
    "curriculum": _curriculum,
    "ktp": _ktp,
    "timetable": _timetable,
    "calendar": _calendar,
}
