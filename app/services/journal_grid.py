"""«Журнал группы»: one group × subject × period as the paper journal's spread. Read only.

The left page is the grid: the group's students (rows, as the group list orders them) × the lessons
held in the period (columns «ДД.ММ», with the pair when a day has two), each cell the student's
attendance («н», «ув», «оп») and their marks as they stand now («5/4» for two marks in one lesson);
per student the average of the numeric marks, the hours missed and the semester mark. The right
page is the list of those lessons: date, topic, work done, homework, hours, the conducting teacher.

Current values come from their one home (app.services.marks: `mark_chains` for lesson marks,
`sheet_current` for semester marks), as the printed journal's do, so the screen and the paper agree; it
reads only the marks of the grid's lessons, where the `mark_current` view walks every mark of the
database.

Access is checked here on every call, whatever the page offered: a teacher opens the group ×
subject pairs they teach (lessons they conduct or substitute, or the curriculum item assigned to
them), a curator any subject of the groups they curate, the deputy director and the director any
group of their college. Students, guardians and the officer are refused. Nothing is written (no
audit row either: the grid shows the journal to those who keep and supervise it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import text
from sqlmodel import Session, col, select

from app.actor import Actor
from app.calendar import academic_year_start, program_semester, year_bounds
from app.domain import (
    ATTENDANCE_LABELS,
    ATTENDANCE_TITLES,
    ATTESTATION_LABELS,
    COLLEGE_READERS,
    NUMERIC_MARKS,
    WORK_KIND_LABELS,
    AttendanceStatus,
    AttestationForm,
    HoursTally,
    Role,
    WorkKind,
    fmt_date,
    full_name,
    short_name,
)
from app.errors import AccessDenied
from app.models import Mark, SemesterMark
from app.reports.common import MONTHS_NOMINATIVE, fmt_number
from app.services.journal import college_now
from app.services.marks import SheetMark, mark_chains, sheet_current

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


# --------------------------------------------------------------------------- access

_TEACHER_PAIRS_SQL = """
    SELECT l.study_group_id, l.subject_id FROM lesson l
    WHERE l.college_id = :college AND l.teacher_id = :teacher
    UNION
    SELECT l.study_group_id, l.subject_id FROM lesson l
    WHERE l.college_id = :college AND l.substitute_teacher_id = :teacher
    UNION
    SELECT ci.study_group_id, ci.subject_id FROM curriculum_item ci
    WHERE ci.college_id = :college AND ci.teacher_id = :teacher
"""


def _require_role(actor: Actor) -> None:
    if not actor.has(*ROLES):
        raise AccessDenied(REFUSED_ROLE)


def _teacher_pairs(session: Session, actor: Actor) -> set[tuple[int, int]]:
    """(group, subject) pairs the actor teaches: lessons conducted or substituted, curriculum items."""
    if not actor.has(Role.teacher) or actor.teacher_id is None:
        return set()
    rows = session.execute(
        text(_TEACHER_PAIRS_SQL), {"college": actor.college_id, "teacher": actor.teacher_id}
    )
    return {(r[0], r[1]) for r in rows}


def _whole_group(actor: Actor, group: Any) -> bool:
    """May the actor open every subject of this group (staff, or its curator)?"""
    if actor.has(*COLLEGE_READERS):
        return True
    return (
        actor.has(Role.curator)
        and actor.teacher_id is not None
        and group["curator_teacher_id"] == actor.teacher_id
    )


def _group(session: Session, actor: Actor, group_id: int) -> Any:
    row = (
        session.execute(
            text(
                "SELECT id, college_id, name, admission_year, curator_teacher_id FROM study_group WHERE id = :id"
            ),
            {"id": group_id},
        )
        .mappings()
        .first()
    )
    if row is None or row["college_id"] != actor.college_id:
        raise AccessDenied(REFUSED_GROUP)
    return row


def groups_for(actor: Actor, *, session: Session) -> list[GroupOption]:
    """The groups whose journal the actor may open, by name (empty for a teacher who teaches nothing)."""
    _require_role(actor)
    if actor.has(*COLLEGE_READERS):
        rows = session.execute(
            text("SELECT id, name FROM study_group WHERE college_id = :college ORDER BY name, id"),
            {"college": actor.college_id},
        )
        return [GroupOption(r[0], r[1]) for r in rows]
    ids = {g for g, _ in _teacher_pairs(session, actor)}
    if actor.has(Role.curator) and actor.teacher_id is not None:
        ids.update(
            session.execute(
                text(
                    "SELECT id FROM study_group WHERE college_id = :college AND curator_teacher_id = :teacher"
                ),
                {"college": actor.college_id, "teacher": actor.teacher_id},
            ).scalars()
        )
    if not ids:
        return []
    rows = session.execute(
        text("SELECT id, name FROM study_group WHERE id = ANY(:ids) ORDER BY name, id"), {"ids": sorted(ids)}
    )
    return [GroupOption(r[0], r[1]) for r in rows]


def subjects_for(actor: Actor, group_id: int, *, session: Session) -> list[SubjectOption]:
    """The group's subjects whose journal the actor may open: those of its curriculum and its lessons."""
    _require_role(actor)
    group = _group(session, actor, group_id)
    rows = session.execute(
        text(
            """
            SELECT s.id, s.code, s.name FROM subject s
            WHERE s.college_id = :college AND s.id IN (
                SELECT subject_id FROM curriculum_item WHERE study_group_id = :grp
                UNION
                SELECT subject_id FROM lesson WHERE study_group_id = :grp
            )
            ORDER BY s.name, s.code, s.id
            """
        ),
        {"college": actor.college_id, "grp": group_id},
    )
    options = [SubjectOption(r[0], r[1], r[2]) for r in rows]
    if _whole_group(actor, group):
        return options
    own = {s for g, s in _teacher_pairs(session, actor) if g == group_id}
    if not own:
        raise AccessDenied(REFUSED_GROUP)  # neither taught nor curated: nothing of it to show
    return [o for o in options if o.id in own]


def _check(session: Session, actor: Actor, group_id: int, subject_id: int) -> tuple[Any, Any]:
    _require_role(actor)
    group = _group(session, actor, group_id)
    subject = (
        session.execute(
            text("SELECT id, college_id, code, name FROM subject WHERE id = :id"), {"id": subject_id}
        )
        .mappings()
        .first()
    )
    if subject is None or subject["college_id"] != actor.college_id:
        raise AccessDenied(REFUSED_SUBJECT)
    if not _whole_group(actor, group) and (group_id, subject_id) not in _teacher_pairs(session, actor):
        raise AccessDenied(REFUSED_SUBJECT)
    return group, subject


# --------------------------------------------------------------------------- the grid

_LESSONS_SQL = """
    SELECT l.id, l.lesson_date, l.pair_number, l.subgroup, l.hours, l.topic, l.work_kind, l.work_done,
           l.homework, l.substitute_teacher_id IS NOT NULL AS substitution,
           t.last_name AS t_last, t.first_name AS t_first, t.middle_name AS t_middle
    FROM lesson l
    JOIN teacher t ON t.id = COALESCE(l.substitute_teacher_id, l.teacher_id)
    WHERE l.study_group_id = :grp AND l.subject_id = :subject AND l.lesson_date BETWEEN :start AND :end
    ORDER BY l.lesson_date, l.pair_number, l.subgroup, l.id
"""

# The class list of the period, as the group list orders it; plus anyone with a record in these
# lessons (a student since transferred to another group still appears where they were marked).
# `subgroup` is the student's for this subject (the database's student_subgroup rule)
_STUDENT_COLUMNS = (
    "id, study_group_id, last_name, first_name, middle_name, student_subgroup(id, :subject) AS subgroup, "
    "enrolled_on, left_on"
)
_STUDENTS_SQL = f"""
    SELECT {_STUDENT_COLUMNS} FROM student
    WHERE study_group_id = :grp AND enrolled_on <= :end AND (left_on IS NULL OR left_on > :start)
    UNION
    SELECT {_STUDENT_COLUMNS} FROM student WHERE id = ANY(:recorded)
    ORDER BY last_name, first_name, middle_name, id
"""


def build_grid(
    actor: Actor, group_id: int, subject_id: int, start: date, end: date, *, session: Session
) -> JournalGrid:
    """The journal of one group × subject over [start, end]: the lessons held up to today."""
    if end < start:
        start, end = end, start
    group, subject = _check(session, actor, group_id, subject_id)
    now = college_now(session=session)
    today = now.date()
    held_end = min(end, today)  # lessons still to come have nothing to show yet
    lesson_rows = (
        list(
            session.execute(
                text(_LESSONS_SQL), {"grp": group_id, "subject": subject_id, "start": start, "end": held_end}
            ).mappings()
        )
        if start <= held_end
        else []
    )
    lesson_ids = [r["id"] for r in lesson_rows]
    mark_rows = (
        list(session.exec(select(Mark).where(col(Mark.lesson_id).in_(lesson_ids)))) if lesson_ids else []
    )
    chains = mark_chains(session, mark_rows)
    attendance = (
        {
            (r[0], r[1]): AttendanceStatus(r[2])
            for r in session.execute(
                text("SELECT lesson_id, student_id, status FROM attendance WHERE lesson_id = ANY(:ids)"),
                {"ids": lesson_ids},
            )
        }
        if lesson_ids
        else {}
    )
    semester = program_semester(group["admission_year"], end)
    item = (
        session.execute(
            text(
                "SELECT id, attestation_form FROM curriculum_item "
                "WHERE study_group_id = :grp AND subject_id = :subject AND semester = :semester"
            ),
            {"grp": group_id, "subject": subject_id, "semester": semester},
        )
        .mappings()
        .first()
    )
    semester_current = sheet_current(session, SemesterMark, item["id"]) if item is not None else {}
    recorded = sorted({c.original.student_id for c in chains} | {sid for _, sid in attendance})
    student_rows = list(
        session.execute(
            text(_STUDENTS_SQL),
            {"grp": group_id, "subject": subject_id, "start": start, "end": end, "recorded": recorded},
        ).mappings()
    )
    marks = tuple(
        GridMark(
            lesson_id=c.original.lesson_id,
            student_id=c.original.student_id,
            value=c.current.value,
            work_kind=c.original.work_kind,
            comment=c.original.comment or "",
            corrected=c.current is not c.original,
            original_value=c.original.value,
            correction_reason=c.current.correction_reason if c.current is not c.original else None,
        )
        for c in chains
    )
    lessons = _grid_lessons(lesson_rows, marks)
    students = tuple(
        _grid_student(r, group_id, start, end, lessons, marks, attendance, semester_current)
        for r in student_rows
    )
    form = AttestationForm(item["attestation_form"]) if item is not None else AttestationForm.other
    order = {s.id: n for n, s in enumerate(students)}
    lesson_order = {lesson.id: n for n, lesson in enumerate(lessons)}
    return JournalGrid(
        group_id=group_id,
        group_name=group["name"],
        subject_id=subject_id,
        subject_code=subject["code"],
        subject_name=subject["name"],
        start=start,
        end=end,
        today=today,
        as_of=now,
        semester=semester,
        attestation=ATTESTATION_LABELS[form],
        lessons=lessons,
        students=students,
        marks=tuple(
            sorted(marks, key=lambda m: (lesson_order[m.lesson_id], order.get(m.student_id, len(order))))
        ),
    )


def _grid_lessons(rows: list[Any], marks: tuple[GridMark, ...]) -> tuple[GridLesson, ...]:
    per_day: dict[date, int] = defaultdict(int)
    per_pair: dict[tuple[date, int], int] = defaultdict(int)
    for r in rows:
        per_day[r["lesson_date"]] += 1
        per_pair[(r["lesson_date"], r["pair_number"])] += 1
    kinds: dict[int, list[str]] = defaultdict(list)
    for m in marks:
        if m.work_kind not in kinds[m.lesson_id]:
            kinds[m.lesson_id].append(m.work_kind)
    out = []
    for r in rows:
        day, pair = r["lesson_date"], r["pair_number"]
        column = f"{day:%d.%m}"
        if per_day[day] > 1:
            column += f" п.{pair}"
        if per_pair[(day, pair)] > 1:
            column += f" пгр.{r['subgroup']}" if r["subgroup"] else " гр."
        out.append(
            GridLesson(
                id=r["id"],
                lesson_date=day,
                pair_number=pair,
                subgroup=r["subgroup"],
                hours=r["hours"],
                topic=(r["topic"] or "").strip(),
                work_kind=r["work_kind"],
                work_done=(r["work_done"] or "").strip(),
                homework=(r["homework"] or "").strip(),
                teacher=short_name(r["t_last"], r["t_first"], r["t_middle"]),
                substitution=r["substitution"],
                column=column,
                mark_kinds=tuple(kinds.get(r["id"], ())),
            )
        )
    return tuple(out)


def _on_list(student: Any, group_id: int, lesson: GridLesson) -> bool:
    """Was the student on this lesson's list (the journal's lesson_roster rule)?"""
    if student["study_group_id"] != group_id or student["enrolled_on"] > lesson.lesson_date:
        return False
    if student["left_on"] is not None and student["left_on"] <= lesson.lesson_date:
        return False
    return not lesson.subgroup or student["subgroup"] == lesson.subgroup


def _note(student: Any, group_id: int, start: date, end: date) -> str:
    if student["study_group_id"] != group_id:
        return "переведён(а) в другую группу"
    if student["left_on"] is not None and student["left_on"] <= end:
        return f"выбыл(а) {fmt_date(student['left_on'])}"
    if student["enrolled_on"] > start:
        return f"зачислен(а) {fmt_date(student['enrolled_on'])}"
    return ""


def _grid_student(
    row: Any,
    group_id: int,
    start: date,
    end: date,
    lessons: tuple[GridLesson, ...],
    marks: tuple[GridMark, ...],
    attendance: dict[tuple[int, int], AttendanceStatus],
    semester_current: dict[int, tuple[SheetMark, SheetMark]],
) -> GridStudent:
    sid = row["id"]
    own: dict[int, list[str]] = defaultdict(list)
    for m in marks:
        if m.student_id == sid:
            own[m.lesson_id].append(m.value)
    cells: list[str | None] = []
    statuses: list[AttendanceStatus | None] = []
    values: list[tuple[str, ...]] = []
    numeric: list[int] = []
    tally = HoursTally()
    for lesson in lessons:
        status = attendance.get((lesson.id, sid))
        current = tuple(own.get(lesson.id, ()))
        parts = []
        tally.add(status, lesson.hours)
        if status is not None:
            parts.append(ATTENDANCE_LABELS[status])
        if current:
            parts.append("/".join(current))
            numeric.extend(int(v) for v in current if v in NUMERIC_MARKS)
        if parts:
            cells.append(" ".join(parts))
        else:
            cells.append("" if _on_list(row, group_id, lesson) else None)
        statuses.append(status)
        values.append(current)
    sem = semester_current.get(sid)
    return GridStudent(
        id=sid,
        name=full_name(row["last_name"], row["first_name"], row["middle_name"]),
        subgroup=row["subgroup"],
        note=_note(row, group_id, start, end),
        cells=tuple(cells),
        statuses=tuple(statuses),
        marks=tuple(values),
        average=round(sum(numeric) / len(numeric), 2) if numeric else None,
        hours_missed=tally.missed,
        hours_excused=tally.excused,
        lates=tally.lates,
        semester_mark=sem[1].value if sem else None,
    )


# --------------------------------------------------------------------------- frames


def grid_frame(grid: JournalGrid) -> pl.DataFrame:
    """The left page: № , ФИО, a column per lesson, the average, hours missed, the semester mark."""
    data: dict[str, list[Any]] = {
        COL_N: list(range(1, len(grid.students) + 1)),
        COL_NAME: [s.name + (f" ({s.note})" if s.note else "") for s in grid.students],
    }
    for index, lesson in enumerate(grid.lessons):
        data[lesson.column] = [
            NOT_ON_LIST if s.cells[index] is None else s.cells[index] for s in grid.students
        ]
    data[COL_AVERAGE] = [s.average_text for s in grid.students]
    data[COL_MISSED] = [s.hours_missed for s in grid.students]
    data[COL_EXCUSED] = [s.hours_excused for s in grid.students]
    data[COL_SEMESTER] = [s.semester_mark or "" for s in grid.students]
    data["_student_id"] = [s.id for s in grid.students]
    schema: dict[str, Any] = {name: pl.String for name in data}
    schema.update({COL_N: pl.Int64, COL_MISSED: pl.Int64, COL_EXCUSED: pl.Int64, "_student_id": pl.Int64})
    return pl.DataFrame(data, schema=schema)


def lessons_frame(grid: JournalGrid) -> pl.DataFrame:
    """The right page: the period's lessons with their date, topic, homework, hours and teacher."""
    lessons = grid.lessons
    return pl.DataFrame(
        {
            COL_N: list(range(1, len(lessons) + 1)),
            "Дата": [fmt_date(lesson.lesson_date) for lesson in lessons],
            "Пара": [lesson.pair_number for lesson in lessons],
            "Подгруппа": [str(lesson.subgroup) if lesson.subgroup else "вся группа" for lesson in lessons],
            "Тема занятия": [lesson.topic for lesson in lessons],
            "Выполненные задания": [lesson.work_text for lesson in lessons],
            "Домашнее задание": [lesson.homework for lesson in lessons],
            "Часы": [lesson.hours for lesson in lessons],
            "Преподаватель": [
                lesson.teacher + (" (замена)" if lesson.substitution else "") for lesson in lessons
            ],
            "_lesson_id": [lesson.id for lesson in lessons],
        },
        schema={
            COL_N: pl.Int64,
            "Дата": pl.String,
            "Пара": pl.Int64,
            "Подгруппа": pl.String,
            "Тема занятия": pl.String,
            "Выполненные задания": pl.String,
            "Домашнее задание": pl.String,
            "Часы": pl.Int64,
            "Преподаватель": pl.String,
            "_lesson_id": pl.Int64,
        },
    )


def marks_frame(grid: JournalGrid) -> pl.DataFrame:
    """The legend of the marks: each mark with its lesson, student, kind of work and any correction."""
    lessons = {lesson.id: lesson for lesson in grid.lessons}
    names = {s.id: s.name for s in grid.students}
    rows = grid.marks

    def corrected(m: GridMark) -> str:
        if not m.corrected:
            return ""
        reason = f", причина: {m.correction_reason}" if m.correction_reason else ""
        return f"исправлено: было {m.original_value}{reason}"

    return pl.DataFrame(
        {
            "Дата": [fmt_date(lessons[m.lesson_id].lesson_date) for m in rows],
            "Столбец": [lessons[m.lesson_id].column for m in rows],
            "Студент": [names.get(m.student_id, "") for m in rows],
            "Отметка": [m.value for m in rows],
            "Вид работы": [m.kind_label for m in rows],
            "За что": [m.comment for m in rows],
            "Исправление": [corrected(m) for m in rows],
        },
        schema={
            name: pl.String
            for name in ("Дата", "Столбец", "Студент", "Отметка", "Вид работы", "За что", "Исправление")
        },
    )


def legend_frame() -> pl.DataFrame:
    """What the letters in the grid mean."""
    rows = [(ATTENDANCE_LABELS[s], ATTENDANCE_TITLES[s]) for s in AttendanceStatus]
    rows += [
        ("5, 4, 3, 2", "отметка (текущее значение, с учётом исправлений); две отметки за занятие — «5/4»"),
        ("зач, незач", "зачтено / не зачтено"),
        (NOT_ON_LIST, "студент не в списке занятия (другая подгруппа, ещё не зачислен или уже выбыл)"),
    ]
    return pl.DataFrame({"Обозначение": [r[0] for r in rows], "Значение": [r[1] for r in rows]})


def title(grid: JournalGrid) -> str:
    return f"Журнал группы {grid.group_name} — {grid.subject_label} — {fmt_date(grid.start)} — {fmt_date(grid.end)}"
