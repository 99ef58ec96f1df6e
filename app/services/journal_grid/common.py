"""The grid's data (options, lessons, marks, students, the grid itself), the refusals and column
titles, and the periods it is opened for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.calendar import academic_year_start, year_bounds
from app.domain import WORK_KIND_LABELS, AttendanceStatus, Role, WorkKind, fmt_date
from app.reports.common import MONTHS_NOMINATIVE, fmt_number

ROLES = (Role.teacher, Role.curator, Role.deputy, Role.director)
REFUSED_ROLE = "«Журнал группы» открывают преподаватели, кураторы групп, заместитель директора и директор."
REFUSED_GROUP = "Журнал этой группы вам недоступен."
REFUSED_SUBJECT = (
    "Журнал этой группы по этой дисциплине вам недоступен: вы её не ведёте и не курируете группу."
)
NOT_ON_LIST = "—"  # the student was not on the lesson's list (other subgroup, not yet enrolled, left)
NO_AVERAGE = "—"

# Column titles of the frames (what the page and the Excel file show).
COL_N, COL_NAME = "№", "ФИО"
COL_AVERAGE, COL_MISSED, COL_EXCUSED, COL_SEMESTER = (
    "Средний балл",
    "Пропущено, ч",
    "в т. ч. по уважительной причине, ч",
    "Отметка за семестр",
)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class GroupOption:
    id: int
    name: str


@dataclass(frozen=True)
class SubjectOption:
    id: int
    code: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}".strip()


@dataclass(frozen=True)
class GridLesson:
    id: int
    lesson_date: date
    pair_number: int
    subgroup: int  # 0: the whole group
    hours: int
    topic: str
    work_kind: str | None
    work_done: str
    homework: str
    teacher: str  # who conducted it: the substitute when one was assigned
    substitution: bool
    column: str  # the grid's column title: «05.12», or «05.12 п.2» when the day has two lessons
    mark_kinds: tuple[str, ...] = ()  # work kinds of the marks given in it, in order of appearance

    @property
    def work_kind_label(self) -> str:
        return WORK_KIND_LABELS[WorkKind(self.work_kind)] if self.work_kind else ""

    @property
    def work_text(self) -> str:
        """«Контрольная работа: вариант 1», as the journal's «Выполненные задания»."""
        if self.work_kind_label and self.work_done:
            return f"{self.work_kind_label}: {self.work_done}"
        return self.work_kind_label or self.work_done

    @property
    def help(self) -> str:
        """The column's hover: the date, the pair, the topic and the kinds of work marked."""
        parts = [f"{fmt_date(self.lesson_date)}, {self.pair_number}-я пара"]
        if self.subgroup:
            parts.append(f"подгруппа {self.subgroup}")
        text_ = ", ".join(parts)
        if self.topic:
            text_ += f". Тема: {self.topic}"
        if self.mark_kinds:
            kinds = ", ".join(WORK_KIND_LABELS[WorkKind(k)] for k in self.mark_kinds)
            text_ += f". Отметки за: {kinds}"
        elif self.work_kind_label:
            text_ += f". Вид работы: {self.work_kind_label}"
        return text_


@dataclass(frozen=True)
class GridMark:
    lesson_id: int
    student_id: int
    value: str  # the current value (the latest correction, or the mark itself)
    work_kind: str
    comment: str
    corrected: bool
    original_value: str
    correction_reason: str | None

    @property
    def kind_label(self) -> str:
        return WORK_KIND_LABELS[WorkKind(self.work_kind)]


@dataclass(frozen=True)
class GridStudent:
    id: int
    name: str
    subgroup: int
    note: str  # «выбыл(а) 01.12.2026», «зачислен(а) …», «переведён(а) в другую группу», or ""
    cells: tuple[str | None, ...]  # one per lesson; None: not on that lesson's list
    statuses: tuple[AttendanceStatus | None, ...]
    marks: tuple[tuple[str, ...], ...]  # per lesson, the current values
    average: float | None  # numeric marks only
    hours_missed: int  # «н» and «ув»
    hours_excused: int  # «ув»
    lates: int
    semester_mark: str | None  # current value

    @property
    def average_text(self) -> str:
        """«4,50» (the Russian decimal comma), «—» without numeric marks."""
        return fmt_number(self.average, 2) if self.average is not None else NO_AVERAGE


@dataclass(frozen=True)
class JournalGrid:
    group_id: int
    group_name: str
    subject_id: int
    subject_code: str
    subject_name: str
    start: date
    end: date
    today: date
    as_of: datetime  # when the database was read, in the college's zone
    semester: int
    attestation: str  # the semester's attestation form, in Russian
    lessons: tuple[GridLesson, ...]
    students: tuple[GridStudent, ...]
    marks: tuple[GridMark, ...]

    @property
    def subject_label(self) -> str:
        return f"{self.subject_code} {self.subject_name}".strip()

    @property
    def hours(self) -> int:
        """Hours held in the period; subgroups studying in parallel in one pair count once."""
        return sum(
            {(lesson.lesson_date, lesson.pair_number): lesson.hours for lesson in self.lessons}.values()
        )

    def student(self, student_id: int) -> GridStudent:
        return next(s for s in self.students if s.id == student_id)

    def cell(self, student_id: int, lesson_id: int) -> str | None:
        index = [lesson.id for lesson in self.lessons].index(lesson_id)
        return self.student(student_id).cells[index]


# --------------------------------------------------------------------------- periods


def month_bounds(day: date) -> tuple[date, date]:
    """The calendar month containing `day`: its first and last day."""
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)


def month_label(day: date) -> str:
    """«Декабрь 2026»."""
    return f"{MONTHS_NOMINATIVE[day.month - 1].capitalize()} {day.year}"


def recent_months(today: date) -> list[date]:
    """First days of the months of this and the previous academic year up to `today`, newest first."""
    first, _ = year_bounds(date(academic_year_start(today) - 1, 12, 1))
    months = []
    day = today.replace(day=1)
    while day >= first:
        months.append(day)
        day = (day - timedelta(days=1)).replace(day=1)
    return months
