"""Writing КТП versions: a draft typed or read from a file, approved or rejected by the deputy."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.domain import (
    KTP_STATUS_LABELS,
    KtpSource,
    KtpStatus,
)
from app.errors import DomainError, NotFound
from app.imports.cells import norm
from app.imports.readers import Issue, read_table
from app.imports.schemas import KTP, match_headers, parse_rows
from app.models import CurriculumItem, KtpVersion, PlanTopic, StudyGroup, Subject
from app.services.journal import college_now
from app.services.ktp.common import (
    CHANGE_LABELS,
    CONFLICT,
    MAX_NOTE,
    MAX_TOPICS,
    MIN_COMMENT,
    FileTopics,
    Topic,
    TopicInput,
    _item,
    _require_author,
    _require_deputy,
    check_topic,
    diff,
    hours_problem,
    numbered,
    same_content,
)
from app.services.ktp.reading import (
    _id,
    _topics,
    approved_topics,
)

# --------------------------------------------------------------------------- files


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_file(actor: Actor, item_id: int, data: bytes, filename: str, *, session: Session) -> FileTopics:
    """Read a file in the import template of kind «КТП» for one of the actor's items; writes nothing.

    The same headers, cell rules and messages as the officer's import. Every row must be of this
    group, subject and semester; «№» orders the topics (each № once).
    """
    item = _item(session, actor, item_id)
    _require_author(actor, item)
    return _read_file(session, item, data, filename)


def _read_file(session: Session, item: CurriculumItem, data: bytes, filename: str) -> FileTopics:
    group = session.get(StudyGroup, item.study_group_id)
    subject = session.get(Subject, item.subject_id)
    assert group is not None and subject is not None
    table = read_table(data, filename)  # FileRefused: the file as a whole
    result = FileTopics(description=table.description)
    columns, issues = match_headers(KTP, table)
    if issues:
        result.errors = issues
        return result

    def resolve(ref: str, value: Any) -> Any:
        if ref == "group":
            if norm(value) != norm(group.name):
                raise ValueError(
                    f"В строке группа «{value}», а КТП составляется для группы «{group.name}»: в файле — "
                    "темы только этой группы и дисциплины."
                )
            return group
        if ref == "subject":
            if norm(value) != norm(subject.code):
                raise ValueError(
                    f"В строке дисциплина «{value}», а КТП составляется по «{subject.code} {subject.name}»."
                )
            return subject
        raise KeyError(ref)

    records, issues = parse_rows(KTP, table, columns, resolve)
    result.errors.extend(issues)
    semester = KTP.column("semester").header
    for r in records:
        if r.values["semester"] != item.semester:
            result.errors.append(
                Issue(
                    r.row,
                    semester,
                    f"В строке {r.values['semester']} семестр, а КТП составляется на {item.semester} семестр.",
                )
            )
    if result.errors:
        result.errors.sort(key=lambda i: i.row or 0)
        return result
    records.sort(key=lambda r: r.values["position"])
    result.topics = [
        Topic(
            position=i,
            title=r.values["title"],
            hours=r.values["hours"] or 2,
            section=r.values.get("section") or "",
            lesson_kind=r.values.get("lesson_kind"),
            homework=r.values.get("homework") or "",
        )
        for i, r in enumerate(records, start=1)
    ]
    if not result.topics:
        result.errors.append(Issue(None, "", "В файле нет ни одной темы."))
    return result


# --------------------------------------------------------------------------- writing


def write_version(
    session: Session,
    actor: Actor | None,
    item: CurriculumItem,
    topics: Sequence[Topic],
    *,
    status: KtpStatus,
    source: KtpSource,
    note: str = "",
) -> tuple[KtpVersion, KtpVersion | None]:
    """Record a new version with its topics, in the caller's transaction.

    A draft withdraws the draft still pending; an approved version supersedes the approved one.
    Returns the new version and the one it replaced. `actor` None: the command line.
    """
    assert status in (KtpStatus.draft, KtpStatus.approved)
    item_id = _id(item.id)
    # one writer per item at a time: the version number and the replaced version are this one's
    session.exec(select(CurriculumItem.id).where(CurriculumItem.id == item_id).with_for_update()).one()
    now = college_now(session=session)
    user_id = actor.user_id if actor else None
    last = session.exec(
        select(func.max(KtpVersion.number)).where(KtpVersion.curriculum_item_id == item_id)
    ).one()
    replaced = session.exec(
        select(KtpVersion).where(KtpVersion.curriculum_item_id == item_id, KtpVersion.status == status.value)
    ).first()
    if replaced is not None:
        if status is KtpStatus.approved:
            replaced.status = KtpStatus.superseded.value
        else:
            replaced.status = KtpStatus.withdrawn.value
            replaced.decided_at = now
            replaced.decided_by_user_id = user_id
        session.add(replaced)
        session.flush()  # before the new one: one approved and one draft per item
    version = KtpVersion(
        college_id=item.college_id,
        curriculum_item_id=item_id,
        number=(last or 0) + 1,
        status=status.value,
        source=source.value,
        note=note,
        created_by_user_id=user_id,
        decided_by_user_id=user_id if status is KtpStatus.approved else None,
        decided_at=now if status is KtpStatus.approved else None,
    )
    session.add(version)
    session.flush()
    for t in topics:
        session.add(
            PlanTopic(
                curriculum_item_id=item_id,
                ktp_version_id=version.id,
                position=t.position,
                title=t.title,
                hours=t.hours,
                homework=t.homework,
                section=t.section or None,
                lesson_kind=t.lesson_kind.value if t.lesson_kind else None,
            )
        )
    session.flush()
    return version, replaced


def save_draft(
    actor: Actor,
    item_id: int,
    topics: Sequence[TopicInput],
    *,
    note: str = "",
    session: Session,
) -> int:
    """Save the КТП typed on the page as a new draft version for approval. Returns the version's id."""
    details: dict[str, Any] = {"curriculum_item_id": item_id, "source": KtpSource.editor.value}
    with audit.user_action(
        session,
        actor,
        "ktp.save_draft",
        entity="curriculum_item",
        entity_id=item_id,
        details=details,
        integrity_message=CONFLICT,
    ):
        item = _item(session, actor, item_id, lock=True)
        _require_author(actor, item)
        if len(topics) > MAX_TOPICS:
            raise DomainError(f"В КТП больше {MAX_TOPICS} тем: столько занятий в семестре не бывает.")
        clean = numbered([check_topic(t, i) for i, t in enumerate(topics, start=1)])
        version_id = _save(session, actor, item, clean, KtpSource.editor, note, details)
    return version_id


def upload_draft(
    actor: Actor, item_id: int, data: bytes, filename: str, *, note: str = "", session: Session
) -> int:
    """Save a КТП file (the import template of kind «КТП») as a new draft version. Returns its id."""
    details: dict[str, Any] = {
        "curriculum_item_id": item_id,
        "source": KtpSource.file.value,
        "file": filename[-200:],
        "sha256": sha256(data),
        "bytes": len(data),
    }
    with audit.user_action(
        session,
        actor,
        "ktp.save_draft",
        entity="curriculum_item",
        entity_id=item_id,
        details=details,
        integrity_message=CONFLICT,
    ):
        item = _item(session, actor, item_id, lock=True)
        _require_author(actor, item)
        parsed = _read_file(session, item, data, filename)
        if parsed.errors:
            details["errors"] = len(parsed.errors)
            first = parsed.errors[0]
            where = f"строка {first.row}: " if first.row else ""
            raise DomainError(
                f"Файл не принят: ошибок {len(parsed.errors)} (первая — {where}{first.message}). "
                "Исправьте файл и загрузите его снова."
            )
        version_id = _save(session, actor, item, parsed.topics, KtpSource.file, note, details)
    return version_id


def _save(
    session: Session,
    actor: Actor,
    item: CurriculumItem,
    topics: list[Topic],
    source: KtpSource,
    note: str,
    details: dict[str, Any],
) -> int:
    total = sum(t.hours for t in topics)
    details.update(topics=len(topics), hours=total, planned_hours=item.planned_hours)
    if not topics:
        raise DomainError("В КТП нет ни одной темы: добавьте темы занятий.")
    problem = hours_problem(total, item.planned_hours)
    if problem:
        raise DomainError(problem)
    note = " ".join(note.split())
    if len(note) > MAX_NOTE:
        raise DomainError(f"Комментарий длиннее {MAX_NOTE} символов: сократите текст.")
    approved = approved_topics(session, [_id(item.id)]).get(_id(item.id))
    current = {
        KtpStatus(v.status): v
        for v in session.exec(
            select(KtpVersion).where(
                KtpVersion.curriculum_item_id == item.id,
                col(KtpVersion.status).in_([KtpStatus.approved.value, KtpStatus.draft.value]),
            )
        )
    }
    if approved is not None and same_content(approved, topics):
        raise DomainError(
            f"КТП совпадает с утверждённой версией {current[KtpStatus.approved].number}: сохранять нечего."
        )
    draft = current.get(KtpStatus.draft)
    if draft is not None and same_content(_topics(session, _id(draft.id)), topics):
        raise DomainError(f"КТП совпадает с версией {draft.number}, которая уже на утверждении.")
    version, replaced = write_version(
        session, actor, item, topics, status=KtpStatus.draft, source=source, note=note
    )
    details.update(version_id=version.id, number=version.number, note=note)
    if replaced is not None:
        details["withdrawn_version"] = replaced.number
    if approved is not None:
        changes = diff(approved, topics)
        details["changes"] = {k: sum(1 for c in changes if c.kind == k) for k in CHANGE_LABELS}
    audit.record(
        session, actor, "ktp.save_draft", entity="ktp_version", entity_id=version.id, details=details
    )
    return _id(version.id)


def _lock_draft(session: Session, actor: Actor, version_id: int) -> tuple[KtpVersion, CurriculumItem]:
    found = session.get(KtpVersion, version_id)
    if found is None or found.college_id != actor.college_id:
        raise NotFound(f"Версия КТП №{version_id} не найдена.")
    item = _item(session, actor, found.curriculum_item_id, lock=True)  # the item first, as writers do
    version = session.exec(
        select(KtpVersion)
        .where(KtpVersion.id == version_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if version.status != KtpStatus.draft.value:
        raise DomainError(
            f"Версия {version.number} КТП уже не ждёт решения: {KTP_STATUS_LABELS[KtpStatus(version.status)]}."
        )
    return version, item


def approve(actor: Actor, version_id: int, comment: str = "", *, session: Session) -> None:
    """Put a draft in force: it becomes the approved КТП, the previous approved one is kept as history."""
    details: dict[str, Any] = {"version_id": version_id, "comment": comment}
    with audit.user_action(
        session,
        actor,
        "ktp.approve",
        entity="ktp_version",
        entity_id=version_id,
        details=details,
        integrity_message=CONFLICT,
    ):
        _require_deputy(actor)
        version, item = _lock_draft(session, actor, version_id)
        comment = comment.strip()
        if len(comment) > MAX_NOTE:
            raise DomainError(f"Комментарий длиннее {MAX_NOTE} символов: сократите текст.")
        topics = _topics(session, version_id)
        total = sum(t.hours for t in topics)
        details.update(curriculum_item_id=item.id, number=version.number, topics=len(topics), hours=total)
        problem = hours_problem(total, item.planned_hours)
        if problem:
            raise DomainError(
                f"{problem} (часы по учебному плану изменились после сохранения версии). Отклоните версию, "
                "чтобы преподаватель исправил КТП."
            )
        now = college_now(session=session)
        previous = session.exec(
            select(KtpVersion).where(
                KtpVersion.curriculum_item_id == item.id, KtpVersion.status == KtpStatus.approved.value
            )
        ).first()
        if previous is not None:
            previous.status = KtpStatus.superseded.value
            session.add(previous)
            session.flush()
            details["previous_version"] = previous.number
        version.status = KtpStatus.approved.value
        version.decided_by_user_id = actor.user_id
        version.decided_at = now
        version.decision_comment = comment
        session.add(version)
        audit.record(
            session, actor, "ktp.approve", entity="ktp_version", entity_id=version_id, details=details
        )


def reject(actor: Actor, version_id: int, comment: str, *, session: Session) -> None:
    """Return a draft to the teacher with the reason; the approved КТП stays in force."""
    details: dict[str, Any] = {"version_id": version_id, "comment": comment}
    with audit.user_action(
        session,
        actor,
        "ktp.reject",
        entity="ktp_version",
        entity_id=version_id,
        details=details,
        integrity_message=CONFLICT,
    ):
        _require_deputy(actor)
        comment = comment.strip()
        if len(comment) < MIN_COMMENT:
            raise DomainError(
                f"Укажите причину отклонения (не короче {MIN_COMMENT} символов): что исправить."
            )
        if len(comment) > MAX_NOTE:
            raise DomainError(f"Комментарий длиннее {MAX_NOTE} символов: сократите текст.")
        version, item = _lock_draft(session, actor, version_id)
        now = college_now(session=session)
        version.status = KtpStatus.rejected.value
        version.decided_by_user_id = actor.user_id
        version.decided_at = now
        version.decision_comment = comment
        session.add(version)
        details.update(curriculum_item_id=item.id, number=version.number, comment=comment)
        audit.record(
            session, actor, "ktp.reject", entity="ktp_version", entity_id=version_id, details=details
        )
