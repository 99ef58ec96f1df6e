"""Reading КТП versions: the items a teacher or the deputy sees, their versions and topics, drafts waiting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.actor import Actor
from app.calendar import academic_year_start, program_semester
from app.domain import (
    KtpSource,
    KtpStatus,
    LessonKind,
    Role,
    short_name,
)
from app.errors import AccessDenied, NotFound
from app.models import CurriculumItem, KtpVersion, PlanTopic, StudyGroup, Subject, Teacher, UserAccount
from app.services.journal import college_now
from app.services.ktp.common import (
    READERS,
    ItemOption,
    PendingDraft,
    Topic,
    VersionInfo,
    _item,
    _require_deputy,
    _require_reader,
)

# --------------------------------------------------------------------------- reading


def my_items(actor: Actor, *, session: Session) -> list[ItemOption]:
    """The curriculum items the actor teaches (current semesters first): the КТП they draft."""
    if not actor.has(Role.teacher) or actor.teacher_id is None:
        raise AccessDenied("КТП составляет преподаватель.")
    return _options(session, actor.college_id, teacher_id=actor.teacher_id)


def college_items(actor: Actor, *, session: Session) -> list[ItemOption]:
    """Every curriculum item of the actor's college, for the administration."""
    actor.require(*READERS, message="КТП всех дисциплин колледжа видит администрация.")
    return _options(session, actor.college_id)


def item_option(actor: Actor, item_id: int, *, session: Session) -> ItemOption:
    item = _item(session, actor, item_id)
    _require_reader(actor, item)
    return _options(session, actor.college_id, item_ids=[item_id])[0]


def _options(
    session: Session, college_id: int, *, teacher_id: int | None = None, item_ids: list[int] | None = None
) -> list[ItemOption]:
    query = (
        select(CurriculumItem, StudyGroup, Subject, Teacher)
        .join(StudyGroup, col(StudyGroup.id) == CurriculumItem.study_group_id)
        .join(Subject, col(Subject.id) == CurriculumItem.subject_id)
        .outerjoin(Teacher, col(Teacher.id) == CurriculumItem.teacher_id)
        .where(CurriculumItem.college_id == college_id)
    )
    if teacher_id is not None:
        query = query.where(CurriculumItem.teacher_id == teacher_id)
    if item_ids is not None:
        query = query.where(col(CurriculumItem.id).in_(item_ids))
    rows = list(session.exec(query))
    ids = [item.id for item, *_ in rows]
    numbers: dict[tuple[int, str], int] = {
        (item_id, status): number
        for item_id, status, number in session.exec(
            select(KtpVersion.curriculum_item_id, KtpVersion.status, KtpVersion.number).where(
                col(KtpVersion.curriculum_item_id).in_(ids),
                col(KtpVersion.status).in_([KtpStatus.approved.value, KtpStatus.draft.value]),
            )
        )
    }
    today = college_now(session=session).date()
    options = [
        ItemOption(
            id=_id(item.id),
            group_name=group.name,
            subject_code=subject.code,
            subject_name=subject.name,
            semester=item.semester,
            planned_hours=item.planned_hours,
            teacher_id=item.teacher_id,
            teacher_name=short_name(teacher.last_name, teacher.first_name, teacher.middle_name)
            if teacher
            else "",
            current=academic_year_start(today) >= group.admission_year
            and program_semester(group.admission_year, today) == item.semester,
            approved_number=numbers.get((_id(item.id), KtpStatus.approved.value)),
            draft_number=numbers.get((_id(item.id), KtpStatus.draft.value)),
        )
        for item, group, subject, teacher in rows
    ]
    return sorted(options, key=lambda o: (not o.current, o.group_name, o.subject_code, o.semester))


def _id(value: int | None) -> int:
    assert value is not None
    return value


def versions(actor: Actor, item_id: int, *, session: Session) -> list[VersionInfo]:
    """Every version of the item's КТП, newest first."""
    item = _item(session, actor, item_id)
    _require_reader(actor, item)
    return _versions(session, [item_id])


def _versions(session: Session, item_ids: list[int]) -> list[VersionInfo]:
    found = list(
        session.exec(
            select(KtpVersion)
            .where(col(KtpVersion.curriculum_item_id).in_(item_ids))
            .order_by(col(KtpVersion.curriculum_item_id), col(KtpVersion.number).desc())
        )
    )
    totals: dict[int, tuple[int, int]] = {
        version_id: (int(count), int(hours or 0))
        for version_id, count, hours in session.exec(
            select(PlanTopic.ktp_version_id, func.count(), func.sum(PlanTopic.hours))
            .where(col(PlanTopic.ktp_version_id).in_([v.id for v in found]))
            .group_by(col(PlanTopic.ktp_version_id))
        )
        if version_id is not None
    }
    user_ids = {u for v in found for u in (v.created_by_user_id, v.decided_by_user_id) if u is not None}
    names: dict[int | None, str] = {
        user_id: name
        for user_id, name in session.exec(
            select(UserAccount.id, UserAccount.full_name).where(col(UserAccount.id).in_(user_ids))
        )
    }
    return [
        VersionInfo(
            id=_id(v.id),
            curriculum_item_id=v.curriculum_item_id,
            number=v.number,
            status=KtpStatus(v.status),
            source=KtpSource(v.source),
            note=v.note,
            created_by=names.get(v.created_by_user_id, "") if v.created_by_user_id else "",
            created_at=v.created_at,
            decided_by=names.get(v.decided_by_user_id, "") if v.decided_by_user_id else "",
            decided_at=v.decided_at,
            decision_comment=v.decision_comment,
            topics=totals.get(_id(v.id), (0, 0))[0],
            hours=totals.get(_id(v.id), (0, 0))[1],
        )
        for v in found
    ]


def version_topics(actor: Actor, version_id: int, *, session: Session) -> list[Topic]:
    """The topics of one version, in order."""
    version = session.get(KtpVersion, version_id)
    if version is None or version.college_id != actor.college_id:
        raise NotFound(f"Версия КТП №{version_id} не найдена.")
    _require_reader(actor, _item(session, actor, version.curriculum_item_id))
    return _topics(session, version_id)


def _topics(session: Session, version_id: int) -> list[Topic]:
    return [
        Topic(
            position=t.position,
            title=t.title,
            hours=t.hours,
            section=t.section or "",
            lesson_kind=LessonKind(t.lesson_kind) if t.lesson_kind else None,
            homework=t.homework,
            id=t.id,
        )
        for t in session.exec(
            select(PlanTopic).where(PlanTopic.ktp_version_id == version_id).order_by(col(PlanTopic.position))
        )
    ]


def approved_topics(session: Session, item_ids: Sequence[int]) -> dict[int, list[Topic]]:
    """Curriculum item -> the topics of its approved КТП (items without one are left out)."""
    found: dict[int, list[Topic]] = {}
    rows = session.exec(
        select(KtpVersion.curriculum_item_id, KtpVersion.id).where(
            col(KtpVersion.curriculum_item_id).in_(list(item_ids)),
            KtpVersion.status == KtpStatus.approved.value,
        )
    )
    for item_id, version_id in list(rows):
        found[item_id] = _topics(session, _id(version_id))
    return found


def pending(actor: Actor, *, session: Session) -> list[PendingDraft]:
    """Drafts awaiting approval in the actor's college, oldest first."""
    _require_deputy(actor)
    drafts = list(
        session.exec(
            select(KtpVersion.curriculum_item_id).where(
                KtpVersion.college_id == actor.college_id, KtpVersion.status == KtpStatus.draft.value
            )
        )
    )
    if not drafts:
        return []
    options = {o.id: o for o in _options(session, actor.college_id, item_ids=drafts)}
    by_item: dict[int, dict[KtpStatus, VersionInfo]] = {}
    for v in _versions(session, drafts):
        if v.status in (KtpStatus.draft, KtpStatus.approved):
            by_item.setdefault(v.curriculum_item_id, {})[v.status] = v
    found = [
        PendingDraft(options[item_id], states[KtpStatus.draft], states.get(KtpStatus.approved))
        for item_id, states in by_item.items()
        if KtpStatus.draft in states
    ]
    return sorted(found, key=lambda p: (p.draft.created_at or datetime.min, p.draft.id))
