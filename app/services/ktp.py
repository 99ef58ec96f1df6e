"""КТП (календарно-тематический план): the teacher drafts it, the deputy director approves it.

The regulation makes teachers enter their «тематическое планирование» (§3.2.4) and answers them for
covering it in full and on time (§4.3). A curriculum item's КТП is kept in versions (ktp_version,
migration 0010): the item's teacher saves a draft — typed on the «КТП» page or uploaded from the
import template of kind «КТП» — and the deputy director approves or rejects it with a comment. The
approved version is the КТП in force: the journal offers its topics for a lesson and the warehouse
measures the lag against it. Earlier versions stay, read-only. The officer's import (app.imports)
still loads a КТП directly: it records an approved version at once.

Every public action takes the acting user first and `session` keyword-only, is one transaction,
and is audited whether accepted or refused.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.calendar import academic_year_start, program_semester
from app.domain import (
    KTP_SOURCE_LABELS,
    KTP_STATUS_LABELS,
    LESSON_KIND_LABELS,
    KtpSource,
    KtpStatus,
    LessonKind,
    Role,
    short_name,
)
from app.errors import AccessDenied, DomainError, NotFound
from app.imports.cells import norm
from app.imports.readers import Issue, read_table
from app.imports.schemas import KTP, match_headers, parse_rows
from app.models import CurriculumItem, KtpVersion, PlanTopic, StudyGroup, Subject, Teacher, UserAccount
from app.services.journal import college_now

MAX_TOPICS = 1000
MAX_NOTE = 1000
MIN_COMMENT = 5
READERS: tuple[Role, ...] = (Role.deputy, Role.director, Role.officer)
AUTHOR_ONLY = "КТП составляет преподаватель, который ведёт эту дисциплину в группе по учебному плану."
DEPUTY_ONLY = "КТП утверждает заместитель директора по УР."
CONFLICT = "КТП этой дисциплины изменили одновременно с вами: обновите страницу и повторите."
FIELD_NAMES: dict[str, str] = {
    "section": "раздел",
    "title": "тема",
    "hours": "часы",
    "lesson_kind": "вид занятия",
    "homework": "домашнее задание",
}
CHANGE_LABELS: dict[str, str] = {"added": "добавлена", "removed": "удалена", "changed": "изменена"}


# --------------------------------------------------------------------------- what the screens show


@dataclass(frozen=True)
class TopicInput:
    """One line of a КТП as the teacher enters it; its № is its place in the list."""

    title: str
    hours: int
    section: str = ""
    lesson_kind: LessonKind | None = None
    homework: str = ""


@dataclass(frozen=True)
class Topic:
    """One line of a stored (or about to be stored) version."""

    position: int
    title: str
    hours: int
    section: str = ""
    lesson_kind: LessonKind | None = None
    homework: str = ""
    id: int | None = None

    def content(self) -> tuple[Any, ...]:
        return (self.position, self.title, self.hours, self.section, self.lesson_kind, self.homework)

    @property
    def kind_label(self) -> str:
        return LESSON_KIND_LABELS[self.lesson_kind] if self.lesson_kind else ""


@dataclass(frozen=True)
class ItemOption:
    """A curriculum item (group × subject × semester) whose КТП the actor may open."""

    id: int
    group_name: str
    subject_code: str
    subject_name: str
    semester: int
    planned_hours: int
    teacher_id: int | None
    teacher_name: str
    current: bool  # the group is in this semester now
    approved_number: int | None
    draft_number: int | None

    @property
    def label(self) -> str:
        return f"{self.group_name} · {self.subject_code} {self.subject_name}, {self.semester} семестр"


@dataclass(frozen=True)
class VersionInfo:
    id: int
    curriculum_item_id: int
    number: int
    status: KtpStatus
    source: KtpSource
    note: str
    created_by: str
    created_at: datetime | None
    decided_by: str
    decided_at: datetime | None
    decision_comment: str
    topics: int
    hours: int

    @property
    def status_label(self) -> str:
        return KTP_STATUS_LABELS[self.status]

    @property
    def source_label(self) -> str:
        return KTP_SOURCE_LABELS[self.source]


@dataclass(frozen=True)
class PendingDraft:
    """A draft awaiting the deputy director, with what it would replace."""

    item: ItemOption
    draft: VersionInfo
    approved: VersionInfo | None


@dataclass(frozen=True)
class TopicChange:
    kind: str  # added, removed, changed
    old: Topic | None
    new: Topic | None
    fields: tuple[str, ...] = ()  # FIELD_NAMES keys that differ

    @property
    def label(self) -> str:
        return CHANGE_LABELS[self.kind]


@dataclass
class FileTopics:
    """A КТП file read against one curriculum item: its topics in the order of «№», or what to fix."""

    topics: list[Topic] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    description: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.topics)


# --------------------------------------------------------------------------- rules


def hours_word(n: int) -> str:
    return f"{n} ч."


def hours_problem(total: int, planned: int) -> str | None:
    """None when the КТП's hours add up to the curriculum's, else the Russian refusal with the difference."""
    if total == planned:
        return None
    gap = planned - total
    tail = f"не хватает {hours_word(gap)}" if gap > 0 else f"лишние {hours_word(-gap)}"
    return f"Сумма часов КТП — {total}, по учебному плану — {planned}: {tail}"


def check_topic(topic: TopicInput, row: int) -> TopicInput:
    """The topic with its text cleaned, checked by the same rules as the import template's cells."""
    where = f"Тема {row}"
    try:
        title = KTP.column("title").parse(topic.title)
        section = KTP.column("section").parse(topic.section or "")
        homework = KTP.column("homework").parse(topic.homework or "")
        hours = KTP.column("hours").parse(topic.hours)
    except ValueError as exc:
        raise DomainError(f"{where}: {exc}") from None
    if not title:
        raise DomainError(f"{where}: не указана тема занятия.")
    return TopicInput(title, hours, section, topic.lesson_kind, homework)


def numbered(topics: Sequence[TopicInput]) -> list[Topic]:
    return [
        Topic(i, t.title, t.hours, t.section, t.lesson_kind, t.homework)
        for i, t in enumerate(topics, start=1)
    ]


def same_content(a: Sequence[Topic], b: Sequence[Topic]) -> bool:
    return [t.content() for t in a] == [t.content() for t in b]


def diff(old: Sequence[Topic], new: Sequence[Topic]) -> list[TopicChange]:
    """Topics added, removed and changed from `old` to `new`.

    Topics are matched by title (case and spacing aside) in order, so inserting a topic does not
    count every later one as changed; where titles differ, the lines in the same place pair up as
    changed and the rest are added or removed. A topic that only moved with its neighbours (its № is
    different) is not a change.
    """
    matcher = difflib.SequenceMatcher(
        a=[norm(t.title) for t in old], b=[norm(t.title) for t in new], autojunk=False
    )
    changes: list[TopicChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        olds, news = old[i1:i2], new[j1:j2]
        paired = min(len(olds), len(news)) if tag in {"equal", "replace"} else 0
        for o, n in zip(olds[:paired], news[:paired], strict=True):
            fields = changed_fields(o, n)
            if fields:
                changes.append(TopicChange("changed", o, n, fields))
        changes.extend(TopicChange("removed", o, None) for o in olds[paired:])
        changes.extend(TopicChange("added", None, n) for n in news[paired:])
    return changes


def changed_fields(old: Topic, new: Topic) -> tuple[str, ...]:
    return tuple(name for name in FIELD_NAMES if getattr(old, name) != getattr(new, name))


def diff_summary(changes: Sequence[TopicChange]) -> str:
    if not changes:
        return "Темы не изменились."
    counts = {kind: sum(1 for c in changes if c.kind == kind) for kind in CHANGE_LABELS}
    words = {"added": "добавлено", "removed": "удалено", "changed": "изменено"}
    return "Тем " + ", ".join(f"{words[k]} {n}" for k, n in counts.items() if n) + "."


# --------------------------------------------------------------------------- access


def _item(session: Session, actor: Actor, item_id: int, *, lock: bool = False) -> CurriculumItem:
    query = select(CurriculumItem).where(CurriculumItem.id == item_id)
    if lock:
        query = query.with_for_update()
    item = session.exec(query).first()
    if item is None or item.college_id != actor.college_id:
        raise NotFound(f"Строка учебного плана №{item_id} не найдена.")
    return item


def is_author(actor: Actor, item: CurriculumItem) -> bool:
    """The curriculum item's teacher: the one who drafts its КТП."""
    return actor.has(Role.teacher) and actor.teacher_id is not None and item.teacher_id == actor.teacher_id


def _require_author(actor: Actor, item: CurriculumItem) -> None:
    if not is_author(actor, item):
        raise AccessDenied(AUTHOR_ONLY)


def _require_reader(actor: Actor, item: CurriculumItem) -> None:
    if not (is_author(actor, item) or actor.has(*READERS)):
        raise AccessDenied("КТП этой дисциплины открывают её преподаватель и администрация колледжа.")


def _require_deputy(actor: Actor) -> None:
    actor.require(Role.deputy, message=DEPUTY_ONLY)


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
