"""The КТП's data, its rules (hours, numbering, what changed) and who may read or write it."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from app.actor import Actor
from app.domain import (
    KTP_SOURCE_LABELS,
    KTP_STATUS_LABELS,
    LESSON_KIND_LABELS,
    KtpSource,
    KtpStatus,
    LessonKind,
    Role,
)
from app.errors import AccessDenied, DomainError, NotFound
from app.imports.cells import norm
from app.imports.readers import Issue
from app.imports.schemas import KTP
from app.models import CurriculumItem

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
