"""Reading the sheets: one sheet with its students and marks, the sheets of a half an actor sees."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.actor import Actor
from app.calendar import Half, session_window
from app.domain import DEBT_MARKS, AttestationForm, Role, attestation_marks, full_name, year_marks
from app.models import AttestationCommission, CurriculumItem, Student, StudyGroup, Teacher
from app.services.attestation.common import (
    Sheet,
    SheetKind,
    SheetRow,
    SheetSummary,
    _chains,
    _closed,
    _item,
    _may_read,
    _members,
)


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
