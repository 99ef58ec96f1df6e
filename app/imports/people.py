"""The reference data of people: teachers (and their accounts), groups, students, guardians."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from functools import partial
from typing import Any

from sqlmodel import col, select

from app import audit
from app.db import db_now
from app.domain import Role, fmt_date, full_name
from app.imports.cells import norm, parse_phone
from app.imports.run import (
    ADDED,
    CHANGED,
    UNCHANGED,
    Credential,
    Run,
    assign,
    pk,
    upsert,
)
from app.imports.schemas import (
    SCHEMAS,
    Record,
)
from app.models import (
    Guardian,
    Speciality,
    Student,
    StudentGuardian,
    StudyGroup,
    Teacher,
    UserAccount,
    UserRole,
)
from app.passwords import hash_password
from app.services.accounts import generate_initial_password
from app.settings import get_settings

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
