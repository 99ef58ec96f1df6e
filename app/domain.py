"""Vocabulary of the journal: roles, kinds, marks and statuses, with their Russian labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum


class Role(StrEnum):
    teacher = "teacher"
    curator = "curator"
    officer = "officer"
    deputy = "deputy"
    director = "director"
    student = "student"
    guardian = "guardian"


# A curator is a teacher named as a group's curator (study_group.curator_teacher_id): that is the one
# fact, so the role is derived from it (app.actor) and never stored in user_role.
STORED_ROLES: tuple[Role, ...] = tuple(r for r in Role if r is not Role.curator)
# What the officer grants on «Администрирование» and `ejournal user grant`; students' and guardians'
# accounts come with their diary credentials.
GRANTABLE_ROLES: tuple[Role, ...] = (Role.teacher, Role.curator, Role.officer, Role.deputy, Role.director)

# The administration reads every group of its college (diaries, «Журнал группы»).
COLLEGE_READERS: tuple[Role, ...] = (Role.deputy, Role.director)

ROLE_LABELS: dict[Role, str] = {
    Role.teacher: "Преподаватель",
    Role.curator: "Куратор группы",
    Role.officer: "Ответственный за электронный журнал",
    Role.deputy: "Заместитель директора по УР",
    Role.director: "Директор",
    Role.student: "Студент",
    Role.guardian: "Родитель (законный представитель)",
}


class SubjectKind(StrEnum):
    discipline = "discipline"
    mdk = "mdk"
    training_practice = "training_practice"
    work_practice = "work_practice"
    gia = "gia"  # государственная итоговая аттестация: a curriculum line, never a timetable slot


SUBJECT_KIND_LABELS: dict[SubjectKind, str] = {
    SubjectKind.discipline: "Дисциплина",
    SubjectKind.mdk: "МДК",
    SubjectKind.training_practice: "Учебная практика",
    SubjectKind.work_practice: "Производственная практика",
    SubjectKind.gia: "ГИА",
}


class AttestationForm(StrEnum):
    exam = "exam"
    diff_credit = "diff_credit"
    credit = "credit"
    qual_exam = "qual_exam"
    gia = "gia"  # государственная итоговая аттестация (the final marks of the diploma supplement)
    other = "other"  # другие формы контроля: no interim attestation this semester


ATTESTATION_LABELS: dict[AttestationForm, str] = {
    AttestationForm.exam: "Экзамен",
    AttestationForm.diff_credit: "Дифференцированный зачёт",
    AttestationForm.credit: "Зачёт",
    AttestationForm.qual_exam: "Квалификационный экзамен",
    AttestationForm.gia: "Государственная итоговая аттестация",
    AttestationForm.other: "Другие формы контроля",
}


class WorkKind(StrEnum):
    oral = "oral"
    written = "written"
    independent = "independent"
    control = "control"
    practical = "practical"
    laboratory = "laboratory"
    test = "test"
    credit = "credit"
    exam = "exam"
    course_project = "course_project"


WORK_KIND_LABELS: dict[WorkKind, str] = {
    WorkKind.oral: "Устный опрос",
    WorkKind.written: "Письменная работа",
    WorkKind.independent: "Самостоятельная работа",
    WorkKind.control: "Контрольная работа",
    WorkKind.practical: "Практическая работа",
    WorkKind.laboratory: "Лабораторная работа",
    WorkKind.test: "Тест",
    WorkKind.credit: "Зачёт",
    WorkKind.exam: "Экзамен",
    WorkKind.course_project: "Курсовой проект",
}

# Marks for these may be added after the lesson, up to the checking deadline (§4.2.1).
WRITTEN_WORK_KINDS: frozenset[WorkKind] = frozenset(
    {WorkKind.written, WorkKind.independent, WorkKind.control, WorkKind.test}
)

NUMERIC_MARKS: tuple[str, ...] = ("5", "4", "3", "2")
CREDIT_MARKS: tuple[str, ...] = ("зач", "незач")
NOT_ADMITTED = "не допущен"
SEMESTER_ONLY_MARKS: tuple[str, ...] = ("н/а", NOT_ADMITTED)
ALL_LESSON_MARKS: tuple[str, ...] = NUMERIC_MARKS + CREDIT_MARKS
ALL_SEMESTER_MARKS: tuple[str, ...] = NUMERIC_MARKS + CREDIT_MARKS + SEMESTER_ONLY_MARKS
# A semester mark that leaves an academic debt (mart_academic_debt says the same in SQL).
DEBT_MARKS: frozenset[str] = frozenset({"2", "незач", "н/а", NOT_ADMITTED})


def attestation_marks(form: AttestationForm) -> tuple[str, ...]:
    """What an attestation sheet of this form takes: a credit is «зач»/«незач», the others 5…2."""
    graded = CREDIT_MARKS if form is AttestationForm.credit else NUMERIC_MARKS
    return graded + SEMESTER_ONLY_MARKS


def year_marks(form: AttestationForm) -> tuple[str, ...]:
    """What a year mark takes: «зач»/«незач» for a subject closed by a credit, else 5…2; and «н/а»."""
    graded = CREDIT_MARKS if form is AttestationForm.credit else NUMERIC_MARKS
    return (*graded, "н/а")


class AttendanceStatus(StrEnum):
    absent = "absent"
    excused = "excused"
    late = "late"


ATTENDANCE_LABELS: dict[AttendanceStatus, str] = {
    AttendanceStatus.absent: "н",
    AttendanceStatus.excused: "ув",
    AttendanceStatus.late: "оп",
}

ATTENDANCE_TITLES: dict[AttendanceStatus, str] = {
    AttendanceStatus.absent: "отсутствовал (неуважительная причина)",
    AttendanceStatus.excused: "отсутствовал по уважительной причине",
    AttendanceStatus.late: "опоздал",
}

ABSENT_STATUSES: frozenset[AttendanceStatus] = frozenset({AttendanceStatus.absent, AttendanceStatus.excused})


@dataclass
class HoursTally:
    """A student's attendance over lessons, as a journal page sums it: hours missed, of them
    excused, and times late («оп» costs no hours)."""

    missed: int = 0
    excused: int = 0
    lates: int = 0

    def add(self, status: AttendanceStatus | None, hours: int) -> None:
        if status is None:
            return
        if status in ABSENT_STATUSES:
            self.missed += hours
            self.excused += hours if status == AttendanceStatus.excused else 0
        else:
            self.lates += 1


# The college's bell schedule: pair number -> (start, end).
PAIR_TIMES: dict[int, tuple[time, time]] = {
    1: (time(8, 30), time(10, 0)),
    2: (time(10, 10), time(11, 40)),
    3: (time(12, 10), time(13, 40)),
    4: (time(13, 50), time(15, 20)),
    5: (time(15, 30), time(17, 0)),
    6: (time(17, 10), time(18, 40)),
}

WEEKDAY_NAMES = ("Понедельник", "Вторник", "Среда", "Четверг", "Пятница", "Суббота", "Воскресенье")


def sql_in(values: tuple[str, ...] | frozenset[str] | list[str]) -> str:
    """Render a constant list for a CHECK constraint (constants only, never user input)."""
    return ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values))


def fmt_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def short_name(last: str, first: str, middle: str = "") -> str:
    """«Иванов И. И.»"""
    initials = "".join(f" {p[0]}." for p in (first, middle) if p)
    return f"{last}{initials}"


def full_name(last: str, first: str, middle: str = "") -> str:
    return " ".join(p for p in (last, first, middle) if p)


class LessonKind(StrEnum):
    """Вид занятия in the КТП (календарно-тематический план)."""

    lecture = "lecture"
    combined = "combined"
    practical = "practical"
    laboratory = "laboratory"
    seminar = "seminar"
    independent = "independent"
    control = "control"
    consultation = "consultation"
    attestation = "attestation"


LESSON_KIND_LABELS: dict[LessonKind, str] = {
    LessonKind.lecture: "Лекция",
    LessonKind.combined: "Комбинированное занятие",
    LessonKind.practical: "Практическое занятие",
    LessonKind.laboratory: "Лабораторное занятие",
    LessonKind.seminar: "Семинар",
    LessonKind.independent: "Самостоятельная работа",
    LessonKind.control: "Контрольная работа",
    LessonKind.consultation: "Консультация",
    LessonKind.attestation: "Промежуточная аттестация",
}


class KtpStatus(StrEnum):
    """The state of one version of a КТП."""

    draft = "draft"  # saved by the teacher, awaiting the deputy director
    approved = "approved"  # the КТП in force: lessons pick their topics from it
    rejected = "rejected"
    superseded = "superseded"  # was approved; a newer version was approved since
    withdrawn = "withdrawn"  # a draft the teacher replaced with a newer one before a decision


KTP_STATUS_LABELS: dict[KtpStatus, str] = {
    KtpStatus.draft: "на утверждении",
    KtpStatus.approved: "утверждена",
    KtpStatus.rejected: "отклонена",
    KtpStatus.superseded: "заменена новой утверждённой",
    KtpStatus.withdrawn: "заменена новой редакцией",
}


class KtpSource(StrEnum):
    """Where a version of a КТП came from."""

    editor = "editor"  # typed on the «КТП» page
    file = "file"  # uploaded by the teacher from the template
    imported = "import"  # the officer's import of reference data
    transfer = "transfer"  # topics that existed before versions (migration 0010) or a bulk load


KTP_SOURCE_LABELS: dict[KtpSource, str] = {
    KtpSource.editor: "составлена на странице",
    KtpSource.file: "загружена из файла",
    KtpSource.imported: "импорт ответственного",
    KtpSource.transfer: "перенесена из прежних данных",
}
