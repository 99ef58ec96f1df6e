"""The reference data of studies: subjects, the curriculum, the КТП, the timetable, the calendar."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from sqlmodel import col, select

from app.calendar import Half, check_period, check_session
from app.domain import KtpSource, KtpStatus, SubjectKind, fmt_date
from app.errors import DomainError
from app.imports.cells import norm
from app.imports.run import (
    ADDED,
    CHANGED,
    UNCHANGED,
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
    CalendarPeriod,
    CurriculumItem,
    Module,
    Speciality,
    Subject,
    TimetableSlot,
)
from app.services import ktp


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
