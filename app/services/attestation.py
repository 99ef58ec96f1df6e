"""Промежуточная аттестация: the attestation sheet (ведомость) of a curriculum item, its retakes,
and the deputy director closing a half; by the same pattern the year marks (годовая) and the state
final attestation (ГИА).

The same rules as the journal: marks are rows that are never changed (a retake or a correction is
a new row pointing at the one it replaces), every save is one transaction, every acceptance and
refusal is audited, the clock is the database server's.

- The sheet is filled by the item's teacher or the deputy director, during the half's attestation
  session (app.calendar.session_window) or after it until the half is closed; never before.
- A student gets one mark on the sheet; what a sheet takes depends on its form
  (app.domain.attestation_marks): 5…2 or «зач»/«незач», and «н/а», «не допущен».
- A retake (пересдача) replaces a debt (app.domain.DEBT_MARKS) with a new row: its date, the
  commission that took it and a reason; by the teacher or the deputy, in the next half too (debts
  are cleared after the session).
- The deputy closes a half: its sheets take no more first marks; retakes still clear its debts,
  until the deadline the deputy sets when closing it.
- A year sheet (SheetKind.year) lists the year marks of an item the curriculum marks for one
  (curriculum_item.year_mark: the subject's item of the year's last semester). Filled the same
  way, in the same half; a year mark is not retaken (the semester's debts are).
- ГИА is a curriculum item of the last semester with the form «gia»: its sheet is the state
  examination commission's, filled by its secretary (the item's teacher) or the deputy.
- The deputy may name an exam commission for a sheet (a квалификационный экзамен, ГИА): its
  members read and fill the sheet as its teacher does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.calendar import Half, session_window
from app.domain import (
    ATTESTATION_LABELS,
    DEBT_MARKS,
    AttestationForm,
    Role,
    attestation_marks,
    fmt_date,
    full_name,
    year_marks,
)
from app.errors import AccessDenied, DomainError, NotFound
from app.models import (
    AttestationClose,
    AttestationCommission,
    CurriculumItem,
    SemesterMark,
    Student,
    StudyGroup,
    Subject,
    Teacher,
    YearMark,
)
from app.services.journal import college_today
from app.services.marks import sheet_chains

MAX_TEXT = 300


class SheetKind(StrEnum):
    semester = "semester"  # the attestation sheet of the item's semester (and ГИА's)
    year = "year"  # the year marks


SheetModel = type[SemesterMark] | type[YearMark]
MODELS: dict[SheetKind, SheetModel] = {SheetKind.semester: SemesterMark, SheetKind.year: YearMark}


@dataclass(frozen=True)
class SheetRow:
    student_id: int
    student_name: str
    value: str | None  # the current mark: the last of the chain
    history: tuple[str, ...]  # every value in order, the first the sheet's («2 → 4»)
    taken_on: date | None
    is_debt: bool


@dataclass(frozen=True)
class Sheet:
    item_id: int
    group_name: str
    subject_name: str
    semester: int
    half: Half
    form: AttestationForm
    teacher_id: int | None
    teacher_name: str
    window: tuple[date, date]
    closed: bool
    rows: tuple[SheetRow, ...]
    allowed: tuple[str, ...]
    kind: SheetKind = SheetKind.semester
    commission: tuple[tuple[int, str], ...] = ()  # the members the deputy named: teacher id, ФИО

    @property
    def key(self) -> tuple[int, SheetKind]:
        return self.item_id, self.kind

    @property
    def form_label(self) -> str:
        return "Годовая отметка" if self.kind is SheetKind.year else ATTESTATION_LABELS[self.form]

    @property
    def filled(self) -> int:
        return sum(1 for r in self.rows if r.value is not None)

    @property
    def title(self) -> str:
        if self.kind is SheetKind.year:
            return (
                f"{self.group_name} · {self.subject_name} · {self.half.year}/{self.half.year + 1} учебный год"
            )
        return f"{self.group_name} · {self.subject_name} · {self.semester}-й семестр"

    def may_enter(self, actor: Actor) -> bool:
        """Whether the actor fills this sheet (the service checks it again on saving)."""
        return actor.has(Role.deputy) or (
            actor.teacher_id is not None
            and (actor.teacher_id == self.teacher_id or actor.teacher_id in {t for t, _ in self.commission})
        )


@dataclass(frozen=True)
class SheetSummary:
    item_id: int
    title: str
    group_name: str
    form_label: str
    filled: int
    students: int
    debts: int
    kind: SheetKind = SheetKind.semester

    @property
    def key(self) -> tuple[int, SheetKind]:
        return self.item_id, self.kind


def _item(
    session: Session, actor: Actor, item_id: int, kind: SheetKind = SheetKind.semester
) -> tuple[CurriculumItem, StudyGroup, Subject]:
    item = session.get(CurriculumItem, item_id)
    if item is None or item.college_id != actor.college_id:
        raise NotFound("Ведомость не найдена.")
    group = session.get(StudyGroup, item.study_group_id)
    subject = session.get(Subject, item.subject_id)
    assert group is not None and subject is not None
    if kind is SheetKind.year:
        if not item.year_mark:
            raise DomainError(
                f"По дисциплине «{subject.name}» учебный план не предусматривает годовой отметки "
                f"в {item.semester}-м семестре."
            )
    elif AttestationForm(item.attestation_form) is AttestationForm.other:
        raise DomainError(
            f"По дисциплине «{subject.name}» в {item.semester}-м семестре промежуточной аттестации нет "
            "(другие формы контроля)."
        )
    return item, group, subject


def _members(session: Session, item_id: int) -> list[Teacher]:
    return list(
        session.exec(
            select(Teacher)
            .join(AttestationCommission, col(AttestationCommission.teacher_id) == Teacher.id)
            .where(AttestationCommission.curriculum_item_id == item_id)
            .order_by(Teacher.last_name, Teacher.first_name)
        )
    )


def _is_member(session: Session, actor: Actor, item: CurriculumItem) -> bool:
    return actor.teacher_id is not None and (
        session.get(AttestationCommission, (item.id, actor.teacher_id)) is not None
    )


def _may_read(session: Session, actor: Actor, item: CurriculumItem, group: StudyGroup) -> None:
    if actor.has(Role.deputy, Role.director):
        return
    if actor.teacher_id is not None and actor.teacher_id in (item.teacher_id, group.curator_teacher_id):
        return
    if _is_member(session, actor, item):
        return
    raise AccessDenied("Эту ведомость видят преподаватель дисциплины, куратор группы и администрация.")


def _may_enter(session: Session, actor: Actor, item: CurriculumItem) -> None:
    if actor.has(Role.deputy):
        return
    if actor.teacher_id is not None and actor.teacher_id == item.teacher_id:
        return
    if _is_member(session, actor, item):
        return
    raise AccessDenied(
        "Ведомость заполняет преподаватель дисциплины, член назначенной комиссии или заместитель директора."
    )


def _closed(session: Session, college_id: int, half: Half) -> bool:
    return session.get(AttestationClose, (college_id, half.year, half.half)) is not None


def _students(session: Session, group: StudyGroup, half: Half) -> list[Student]:
    """The group's students the sheet lists: enrolled by the half's end and not gone before it."""
    return list(
        session.exec(
            select(Student)
            .where(
                Student.study_group_id == group.id,
                Student.enrolled_on <= half.end,
                (col(Student.left_on).is_(None)) | (col(Student.left_on) > half.end),
            )
            .order_by(Student.last_name, Student.first_name, Student.middle_name)
        )
    )


def _chains(
    session: Session, item_id: int, kind: SheetKind = SheetKind.semester
) -> dict[int, list[SemesterMark | YearMark]]:
    """Each student's marks on the sheet, the original first and each replacement after it."""
    model = YearMark if kind is SheetKind.year else SemesterMark
    return {sid: list(chain) for (_, sid), chain in sheet_chains(session, model, items=[item_id]).items()}


def sheet(actor: Actor, item_id: int, *, session: Session, kind: SheetKind = SheetKind.semester) -> Sheet:
    item, group, subject = _item(session, actor, item_id, kind)
    _may_read(session, actor, item, group)
    half = Half.of_group(group.admission_year, item.semester)
    chains = _chains(session, item_id, kind)
    students = _students(session, group, half)
    listed = {s.id for s in students}
    # a student who has left but holds a mark stays on the sheet
    extra = [session.get(Student, sid) for sid in chains if sid not in listed]
    rows = []
    for s in [*students, *(e for e in extra if e is not None)]:
        assert s.id is not None
        chain = chains.get(s.id, [])
        value = chain[-1].value if chain else None
        rows.append(
            SheetRow(
                s.id,
                full_name(s.last_name, s.first_name, s.middle_name),
                value,
                tuple(m.value for m in chain),
                chain[-1].taken_on if chain else None,
                kind is SheetKind.semester and value in DEBT_MARKS,  # a year mark is not retaken
            )
        )
    teacher = session.get(Teacher, item.teacher_id) if item.teacher_id else None
    form = AttestationForm(item.attestation_form)
    return Sheet(
        item_id=item_id,
        group_name=group.name,
        subject_name=subject.name,
        semester=item.semester,
        half=half,
        form=form,
        teacher_id=item.teacher_id,
        teacher_name=full_name(teacher.last_name, teacher.first_name, teacher.middle_name) if teacher else "",
        window=session_window(actor.college_id, half, session=session),
        closed=_closed(session, actor.college_id, half),
        rows=tuple(rows),
        allowed=year_marks(form) if kind is SheetKind.year else attestation_marks(form),
        kind=kind,
        commission=tuple(
            (t.id, full_name(t.last_name, t.first_name, t.middle_name))
            for t in _members(session, item_id)
            if t.id
        ),
    )


def sheets(actor: Actor, half: Half, *, session: Session) -> list[SheetSummary]:
    """The sheets of a half the actor sees: a teacher their own items and a curator their groups',
    the deputy and the director all."""
    query = (
        select(CurriculumItem, StudyGroup)
        .join(StudyGroup, col(StudyGroup.id) == CurriculumItem.study_group_id)
        .where(
            CurriculumItem.college_id == actor.college_id,
            (col(CurriculumItem.attestation_form) != AttestationForm.other.value)
            | col(CurriculumItem.year_mark),
        )
    )
    if not actor.has(Role.deputy, Role.director):
        if actor.teacher_id is None:
            return []
        member = select(AttestationCommission.curriculum_item_id).where(
            AttestationCommission.teacher_id == actor.teacher_id
        )
        query = query.where(
            or_(
                col(CurriculumItem.teacher_id) == actor.teacher_id,
                col(StudyGroup.curator_teacher_id) == actor.teacher_id,
                col(CurriculumItem.id).in_(member),
            )
        )
    out = []
    for item, group in session.exec(query):
        if Half.of_group(group.admission_year, item.semester) != half:
            continue
        assert item.id is not None
        kinds = [SheetKind.year] if item.year_mark else []
        if AttestationForm(item.attestation_form) is not AttestationForm.other:
            kinds.insert(0, SheetKind.semester)
        for kind in kinds:
            s = sheet(actor, item.id, session=session, kind=kind)
            out.append(
                SheetSummary(
                    item.id,
                    s.title,
                    s.group_name,
                    s.form_label,
                    s.filled,
                    len(s.rows),
                    sum(1 for r in s.rows if r.is_debt),
                    kind,
                )
            )
    return sorted(out, key=lambda x: (x.title, x.kind != SheetKind.semester))


def _text(value: str, what: str, *, required: bool) -> str:
    value = " ".join(value.split())
    if required and not value:
        raise DomainError(f"Укажите {what}.")
    if len(value) > MAX_TEXT or not value.isprintable():
        raise DomainError(f"{what.capitalize()}: не длиннее {MAX_TEXT} символов, без управляющих символов.")
    return value


def _open_for_entry(sheet_: Sheet, today: date) -> None:
    if sheet_.closed:
        raise DomainError(
            f"Семестр закрыт заместителем директора: ведомость «{sheet_.title}» только для чтения."
        )
    starts, _ends = sheet_.window
    if today < starts:
        raise DomainError(
            f"Ведомость заполняется в период аттестации: с {fmt_date(starts)} "
            f"(сессия {fmt_date(starts)} — {fmt_date(sheet_.window[1])})."
        )


def enter(
    actor: Actor,
    item_id: int,
    values: dict[int, str],
    *,
    session: Session,
    kind: SheetKind = SheetKind.semester,
) -> int:
    """Put the sheet's marks for the students in `values`; how many were added. All or nothing."""
    details = {"curriculum_item_id": item_id, "students": len(values), "sheet": kind.value}
    with audit.user_action(
        session, actor, "attestation.enter", entity="curriculum_item", entity_id=item_id, details=details
    ):
        item, _group, _subject = _item(session, actor, item_id, kind)
        _may_enter(session, actor, item)
        current = sheet(actor, item_id, session=session, kind=kind)
        today = college_today(session=session)
        _open_for_entry(current, today)
        by_student = {r.student_id: r for r in current.rows}
        added = 0
        for student_id, value in values.items():
            row = by_student.get(student_id)
            if row is None:
                raise DomainError("Студента нет в списке группы для этой ведомости.")
            if value not in current.allowed:
                raise DomainError(
                    f"{row.student_name}: «{value}» не подходит для формы «{current.form_label}»: "
                    f"допустимо {', '.join(current.allowed)}."
                )
            if row.value is not None:
                raise DomainError(
                    f"{row.student_name}: отметка «{row.value}» уже в ведомости и не изменяется; "
                    "повторная сдача вносится как пересдача."
                )
            session.add(
                MODELS[kind](
                    college_id=actor.college_id,
                    curriculum_item_id=item_id,
                    student_id=student_id,
                    value=value,
                    created_by_user_id=actor.user_id,
                    kind="original",
                    taken_on=today,
                )
            )
            added += 1
        if not added:
            raise DomainError("Выберите отметку хотя бы одному студенту.")
        audit.record(
            session,
            actor,
            "attestation.enter",
            entity="curriculum_item",
            entity_id=item_id,
            details={**details, "added": added},
        )
    return added


def retake(
    actor: Actor,
    item_id: int,
    student_id: int,
    value: str,
    *,
    session: Session,
    reason: str,
    commission: str,
) -> None:
    """A retake of a debt: a new row replacing the current one, with the day, commission and reason."""
    details = {"curriculum_item_id": item_id, "student_id": student_id, "value": value}
    with audit.user_action(
        session, actor, "attestation.retake", entity="curriculum_item", entity_id=item_id, details=details
    ):
        item, _group, _subject = _item(session, actor, item_id)
        _may_enter(session, actor, item)
        why = _text(reason, "причину пересдачи (например, «приказ № 12 от 05.02.2027»)", required=True)
        who = _text(commission, "состав комиссии", required=True)
        current = sheet(actor, item_id, session=session)
        closed = session.get(AttestationClose, (actor.college_id, current.half.year, current.half.half))
        if (
            closed is not None
            and closed.retakes_until is not None
            and college_today(session=session) > closed.retakes_until
        ):
            raise DomainError(
                f"Срок пересдач по семестру истёк {fmt_date(closed.retakes_until)}: задолженность больше не "
                "закрывается пересдачей."
            )
        row = next((r for r in current.rows if r.student_id == student_id), None)
        if row is None or row.value is None:
            raise DomainError("Пересдача вносится по выставленной отметке: сначала заполните ведомость.")
        if not row.is_debt:
            raise DomainError(
                f"{row.student_name}: отметка «{row.value}» не задолженность, пересдача не нужна."
            )
        if value not in current.allowed or value == "не допущен":
            raise DomainError(f"«{value}» не подходит для пересдачи по форме «{current.form_label}».")
        head = _chains(session, item_id)[student_id][-1]
        session.add(
            SemesterMark(
                college_id=actor.college_id,
                curriculum_item_id=item_id,
                student_id=student_id,
                value=value,
                created_by_user_id=actor.user_id,
                corrects_id=head.id,
                correction_reason=why,
                kind="retake",
                taken_on=college_today(session=session),
                commission=who,
            )
        )
        audit.record(
            session,
            actor,
            "attestation.retake",
            entity="curriculum_item",
            entity_id=item_id,
            details={**details, "was": row.value, "reason": why, "commission": who},
        )


def close_half(actor: Actor, half: Half, *, session: Session, retakes_until: date | None = None) -> None:
    """The deputy director closes a half of the year: its sheets take no more first marks, and its
    debts may be retaken until `retakes_until` (no deadline when None)."""
    details = {
        "year": half.year,
        "half": half.half,
        "retakes_until": retakes_until.isoformat() if retakes_until else None,
    }
    with audit.user_action(session, actor, "attestation.close", entity="attestation_close", details=details):
        actor.require(Role.deputy, message="Семестр закрывает заместитель директора.")
        if _closed(session, actor.college_id, half):
            raise DomainError("Этот семестр уже закрыт.")
        if retakes_until is not None and retakes_until < college_today(session=session):
            raise DomainError(
                "Срок пересдач не может быть в прошлом: выберите сегодняшний или более поздний день."
            )
        if college_today(session=session) < session_window(actor.college_id, half, session=session)[0]:
            raise DomainError("Семестр закрывают после начала сессии, когда ведомости заполнены.")
        session.add(
            AttestationClose(
                college_id=actor.college_id,
                academic_year=half.year,
                half=half.half,
                closed_by_user_id=actor.user_id,
                retakes_until=retakes_until,
            )
        )
        audit.record(session, actor, "attestation.close", entity="attestation_close", details=details)


def name_commission(actor: Actor, item_id: int, teacher_ids: list[int], *, session: Session) -> None:
    """The deputy director names the sheet's exam commission (replacing the one named before)."""
    details: dict[str, object] = {"curriculum_item_id": item_id, "teachers": sorted(teacher_ids)}
    with audit.user_action(
        session, actor, "attestation.commission", entity="curriculum_item", entity_id=item_id, details=details
    ):
        actor.require(Role.deputy, message="Комиссию назначает заместитель директора.")
        item, _group, _subject = _item(session, actor, item_id)
        teachers = (
            list(session.exec(select(Teacher).where(col(Teacher.id).in_(teacher_ids)))) if teacher_ids else []
        )
        if len(teachers) != len(set(teacher_ids)) or any(t.college_id != actor.college_id for t in teachers):
            raise NotFound("Преподаватель не найден в колледже.")
        if len(teachers) > 7:
            raise DomainError("В комиссии не больше 7 человек.")
        for old in session.exec(
            select(AttestationCommission).where(AttestationCommission.curriculum_item_id == item_id)
        ):
            session.delete(old)
        session.flush()
        for t in teachers:
            assert t.id is not None and item.id is not None
            session.add(
                AttestationCommission(
                    curriculum_item_id=item.id, teacher_id=t.id, college_id=actor.college_id
                )
            )
        audit.record(
            session, actor, "attestation.commission", entity="curriculum_item", entity_id=item_id,
            details={**details, "names": [full_name(t.last_name, t.first_name, t.middle_name) for t in teachers]},
        )  # fmt: skip


def college_teachers(actor: Actor, *, session: Session) -> dict[int, str]:
    """The college's teachers, by ФИО, for naming a commission."""
    actor.require(Role.deputy, message="Комиссию назначает заместитель директора.")
    rows = session.exec(
        select(Teacher)
        .where(Teacher.college_id == actor.college_id)
        .order_by(Teacher.last_name, Teacher.first_name)
    )
    return {t.id: full_name(t.last_name, t.first_name, t.middle_name) for t in rows if t.id is not None}
