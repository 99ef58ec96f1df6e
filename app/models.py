"""The journal's tables. Names follow ../shared/GLOSSARY.md; every root entity belongs to a college."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    FetchedValue,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from app.domain import (
    ALL_LESSON_MARKS,
    ALL_SEMESTER_MARKS,
    STORED_ROLES,
    AttendanceStatus,
    AttestationForm,
    KtpSource,
    KtpStatus,
    LessonKind,
    SubjectKind,
    WorkKind,
    sql_in,
)


def table_of(model: type[SQLModel]) -> Table:
    """A model's table, for Core statements on a hot path: they skip the ORM's bookkeeping
    (the lesson save: bench/load.py)."""
    found = model.__table__  # type: ignore[attr-defined]
    assert isinstance(found, Table)
    return found


def _created_at() -> Any:
    return Field(
        default=None,
        sa_column_kwargs={"server_default": func.now(), "nullable": False},
        sa_type=DateTime(timezone=True),
    )


def _ts() -> Any:
    return Field(default=None, sa_type=DateTime(timezone=True))


class College(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    short_name: str
    city: str = ""
    # The database's own rules read these (the lesson day, the checking deadline); the settings are
    # their one source: app.migrate.apply_settings writes both, and their defaults, on every start.
    timezone: str | None = Field(
        default=None, sa_column=Column(Text, nullable=False, server_default="Europe/Moscow")
    )
    checking_deadline_days: int | None = Field(
        default=None, sa_column=Column(Integer, nullable=False, server_default="7")
    )


class Speciality(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("college_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id", index=True)
    code: str  # «09.02.07»
    name: str
    qualification: str = ""


class Teacher(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id", index=True)
    last_name: str
    first_name: str
    middle_name: str = ""
    position: str = "преподаватель"
    user_id: int | None = Field(default=None, foreign_key="user_account.id", unique=True)


class StudyGroup(SQLModel, table=True):
    __tablename__ = "study_group"
    __table_args__ = (UniqueConstraint("college_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id", index=True)
    speciality_id: int = Field(foreign_key="speciality.id")
    name: str  # «ИСП-21»
    admission_year: int
    curator_teacher_id: int | None = Field(default=None, foreign_key="teacher.id")


class Student(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id", index=True)
    study_group_id: int = Field(foreign_key="study_group.id", index=True)
    last_name: str
    first_name: str
    middle_name: str = ""
    birth_date: date | None = None
    subgroup: int = Field(default=1, sa_type=SmallInteger)
    enrolled_on: date
    left_on: date | None = None
    user_id: int | None = Field(default=None, foreign_key="user_account.id", unique=True)
    # where e-mail notices go (app.notify), as for a guardian; empty: none
    email: str = Field(default="", sa_column_kwargs={"server_default": ""})


class Guardian(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id", index=True)
    last_name: str
    first_name: str
    middle_name: str = ""
    phone: str = ""
    email: str = ""
    user_id: int | None = Field(default=None, foreign_key="user_account.id", unique=True)


class StudentGuardian(SQLModel, table=True):
    __tablename__ = "student_guardian"
    student_id: int = Field(foreign_key="student.id", primary_key=True)
    guardian_id: int = Field(foreign_key="guardian.id", primary_key=True, index=True)
    relation: str = "родитель"


class UserAccount(SQLModel, table=True):
    __tablename__ = "user_account"
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id", index=True)
    login: str = Field(unique=True)
    password_hash: str
    full_name: str
    is_active: bool = True
    must_change_password: bool = False
    created_at: datetime | None = _created_at()
    password_changed_at: datetime | None = _ts()
    failed_logins: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    first_failed_at: datetime | None = _ts()
    locked_until: datetime | None = _ts()
    # Set for a one-time initial password: it stops working after this moment.
    password_expires_at: datetime | None = _ts()


class UserRole(SQLModel, table=True):
    __tablename__ = "user_role"
    __table_args__ = (
        CheckConstraint(f"role IN ({sql_in([r.value for r in STORED_ROLES])})", name="role_known"),
    )
    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    role: str = Field(primary_key=True)


class Module(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("speciality_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id", index=True)
    speciality_id: int = Field(foreign_key="speciality.id")
    code: str  # «ПМ.01»
    name: str


class Subject(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in([k.value for k in SubjectKind])})", name="subject_kind_known"),
    )
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id", index=True)
    code: str  # «ОП.01», «МДК.01.01», «УП.01»
    name: str
    kind: str = SubjectKind.discipline.value
    module_id: int | None = Field(default=None, foreign_key="module.id")


class CurriculumItem(SQLModel, table=True):
    __tablename__ = "curriculum_item"
    __table_args__ = (
        UniqueConstraint("study_group_id", "subject_id", "semester"),
        CheckConstraint(
            f"attestation_form IN ({sql_in([a.value for a in AttestationForm])})", name="attestation_known"
        ),
        CheckConstraint("semester BETWEEN 1 AND 10", name="semester_range"),
    )
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id", index=True)
    study_group_id: int = Field(foreign_key="study_group.id", index=True)
    subject_id: int = Field(foreign_key="subject.id")
    semester: int = Field(sa_type=SmallInteger)
    planned_hours: int
    attestation_form: str = AttestationForm.other.value
    teacher_id: int | None = Field(default=None, foreign_key="teacher.id")
    # the curriculum asks for a year mark (годовая) on this item (migration 0020)
    year_mark: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default="false"))


class PlanTopic(SQLModel, table=True):
    """One line of the КТП: an ordered planned topic with its hours, in one version (KtpVersion)."""

    __tablename__ = "plan_topic"
    # what the database fills is read when used, not returned by every insert (see ktp_version_id)
    __mapper_args__ = {"eager_defaults": False}
    __table_args__ = (
        UniqueConstraint("ktp_version_id", "position", name="uq_plan_topic_version_position"),
        # a version's topics belong to the version's curriculum item (migration 0010)
        ForeignKeyConstraint(
            ["ktp_version_id", "curriculum_item_id"],
            ["ktp_version.id", "ktp_version.curriculum_item_id"],
            name="plan_topic_ktp_version_fkey",
        ),
        CheckConstraint(
            f"lesson_kind IS NULL OR lesson_kind IN ({sql_in([k.value for k in LessonKind])})",
            name="plan_topic_lesson_kind_known",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    curriculum_item_id: int = Field(foreign_key="curriculum_item.id", index=True)
    position: int
    title: str
    hours: int = 2
    homework: str = ""
    # Added by migration 0010, without a Python default on purpose: an insert that does not name them
    # leaves them to the database, so code and databases from before versions keep working. The
    # version is NOT NULL there: an owner's bulk load without one (the demo seed, the factories)
    # joins the item's approved version, made if there is none (trigger plan_topic_version).
    ktp_version_id: int | None = Field(
        index=True, nullable=False, sa_column_kwargs={"server_default": FetchedValue()}
    )
    section: str | None = Field(
        nullable=True, sa_column_kwargs={"server_default": sql_text("NULL")}
    )  # раздел
    lesson_kind: str | None = Field(  # вид занятия: LessonKind
        nullable=True, sa_column_kwargs={"server_default": sql_text("NULL")}
    )


class TimetableSlot(SQLModel, table=True):
    __tablename__ = "timetable_slot"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 1 AND 6", name="weekday_range"),
        CheckConstraint("pair_number BETWEEN 1 AND 8", name="pair_range"),
        CheckConstraint("subgroup BETWEEN 0 AND 2", name="subgroup_range"),
        Index("ix_timetable_slot_group_day", "study_group_id", "weekday"),
    )
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id", index=True)
    study_group_id: int = Field(foreign_key="study_group.id")
    subgroup: int = Field(default=0, sa_type=SmallInteger)  # 0: whole group
    weekday: int = Field(sa_type=SmallInteger)  # 1 Monday … 6 Saturday
    pair_number: int = Field(sa_type=SmallInteger)
    subject_id: int = Field(foreign_key="subject.id")
    teacher_id: int = Field(foreign_key="teacher.id", index=True)
    room: str = ""
    valid_from: date
    valid_to: date
    # 0 every week, 1 числитель (odd weeks), 2 знаменатель (even weeks): app.calendar.week_parity
    week_parity: int = Field(default=0, sa_column=Column(SmallInteger, nullable=False, server_default="0"))


class Lesson(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("study_group_id", "lesson_date", "pair_number", "subgroup"),
        CheckConstraint(
            f"work_kind IS NULL OR work_kind IN ({sql_in([w.value for w in WorkKind])})",
            name="work_kind_known",
        ),
        CheckConstraint("subgroup BETWEEN 0 AND 2", name="lesson_subgroup_range"),
        Index("ix_lesson_teacher_date", "teacher_id", "lesson_date"),
        Index("ix_lesson_substitute_date", "substitute_teacher_id", "lesson_date"),
        Index("ix_lesson_updated_at", "updated_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id", index=True)
    study_group_id: int = Field(foreign_key="study_group.id")
    subgroup: int = Field(default=0, sa_type=SmallInteger)
    subject_id: int = Field(foreign_key="subject.id")
    semester: int = Field(sa_type=SmallInteger)
    teacher_id: int = Field(foreign_key="teacher.id")
    substitute_teacher_id: int | None = Field(default=None, foreign_key="teacher.id")
    timetable_slot_id: int | None = Field(default=None, foreign_key="timetable_slot.id")
    lesson_date: date
    pair_number: int = Field(sa_type=SmallInteger)
    hours: int = 2
    room: str = ""
    topic: str | None = Field(default=None, sa_type=Text)
    plan_topic_id: int | None = Field(default=None, foreign_key="plan_topic.id")
    work_done: str | None = Field(default=None, sa_type=Text)
    work_kind: str | None = None
    homework: str | None = Field(default=None, sa_type=Text)
    topic_filled_at: datetime | None = _ts()
    work_filled_at: datetime | None = _ts()
    homework_filled_at: datetime | None = _ts()
    attendance_filled_at: datetime | None = _ts()
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _created_at()


class Mark(SQLModel, table=True):
    """A mark is written once. A correction is a new row pointing at the one it corrects."""

    __table_args__ = (
        CheckConstraint(f"value IN ({sql_in(ALL_LESSON_MARKS)})", name="mark_value_known"),
        CheckConstraint(f"work_kind IN ({sql_in([w.value for w in WorkKind])})", name="mark_work_kind_known"),
        CheckConstraint(
            "(corrects_mark_id IS NULL) = (correction_reason IS NULL)", name="correction_has_reason"
        ),
        Index("ix_mark_lesson_student", "lesson_id", "student_id"),
        Index("ix_mark_created_at", "created_at"),  # the warehouse reads marks by creation (0028)
        Index(
            "uq_mark_once_per_kind",
            "lesson_id",
            "student_id",
            "work_kind",
            unique=True,
            postgresql_where="corrects_mark_id IS NULL",
        ),
    )
    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    college_id: int = Field(foreign_key="college.id", index=True)
    lesson_id: int = Field(foreign_key="lesson.id")
    student_id: int = Field(foreign_key="student.id", index=True)
    value: str
    work_kind: str
    comment: str = ""  # what the mark was for, as the diary shows it
    created_by_user_id: int = Field(foreign_key="user_account.id")
    created_at: datetime | None = _created_at()
    corrects_mark_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True, unique=True)
    )
    correction_reason: str | None = None


class Attendance(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("lesson_id", "student_id"),
        CheckConstraint(f"status IN ({sql_in([s.value for s in AttendanceStatus])})", name="status_known"),
        CheckConstraint(
            "reason_document_date IS NULL OR status = 'excused'", name="attendance_document_only_when_excused"
        ),
        Index("ix_attendance_updated_at", "updated_at"),
    )
    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    college_id: int = Field(foreign_key="college.id", index=True)
    lesson_id: int = Field(foreign_key="lesson.id")
    student_id: int = Field(foreign_key="student.id", index=True)
    status: str
    reason: str = ""  # for excused absences: the document kind (справка, приказ …) and a note
    reason_document_date: date | None = None  # the date of that document
    created_by_user_id: int = Field(foreign_key="user_account.id")
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _created_at()


class SemesterMark(SQLModel, table=True):
    __tablename__ = "semester_mark"
    __table_args__ = (
        CheckConstraint(f"value IN ({sql_in(ALL_SEMESTER_MARKS)})", name="semester_mark_value_known"),
        Index("ix_semester_mark_created_at", "created_at"),
        Index(
            "uq_semester_mark_once",
            "curriculum_item_id",
            "student_id",
            unique=True,
            postgresql_where="corrects_id IS NULL",
        ),
    )
    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    college_id: int = Field(foreign_key="college.id", index=True)
    curriculum_item_id: int = Field(foreign_key="curriculum_item.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    value: str
    created_by_user_id: int = Field(foreign_key="user_account.id")
    created_at: datetime | None = _created_at()
    corrects_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, unique=True))
    correction_reason: str | None = None
    # original (the sheet), retake (пересдача: a new row correcting the debt), correction (the deputy's)
    kind: str = Field(default="original", sa_column_kwargs={"server_default": "original"})
    taken_on: date | None = None  # the day of the exam or the retake
    commission: str | None = None  # who took a retake


class AttestationCommission(SQLModel, table=True):
    """A member of the exam commission the deputy director names for a curriculum item's sheet."""

    __tablename__ = "attestation_commission"
    __table_args__ = (Index("ix_attestation_commission_teacher", "teacher_id"),)
    curriculum_item_id: int = Field(
        sa_column=Column(Integer, ForeignKey("curriculum_item.id", ondelete="CASCADE"), primary_key=True)
    )
    teacher_id: int = Field(foreign_key="teacher.id", primary_key=True)
    college_id: int = Field(foreign_key="college.id")


class YearMark(SQLModel, table=True):
    """A year mark (годовая) on the curriculum item of the year's last semester; append-only as
    semester_mark (migration 0020)."""

    __tablename__ = "year_mark"
    __table_args__ = (
        Index(
            "uq_year_mark_once",
            "curriculum_item_id",
            "student_id",
            unique=True,
            postgresql_where=sql_text("corrects_id IS NULL"),
        ),
        Index("ix_year_mark_student", "student_id"),
    )
    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    college_id: int = Field(foreign_key="college.id")
    curriculum_item_id: int = Field(foreign_key="curriculum_item.id")
    student_id: int = Field(foreign_key="student.id")
    value: str
    created_by_user_id: int = Field(foreign_key="user_account.id")
    created_at: datetime | None = _created_at()
    corrects_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, ForeignKey("year_mark.id"), nullable=True, unique=True)
    )
    correction_reason: str | None = None
    kind: str = Field(default="original", sa_column_kwargs={"server_default": "original"})
    taken_on: date | None = None


class SubjectSubgroup(SQLModel, table=True):
    """A student's subgroup for one subject where it differs from the student's own; the rule
    that reads both is the database function student_subgroup (migration 0020)."""

    __tablename__ = "subject_subgroup"
    student_id: int = Field(
        sa_column=Column(Integer, ForeignKey("student.id", ondelete="CASCADE"), primary_key=True)
    )
    subject_id: int = Field(foreign_key="subject.id", primary_key=True)
    college_id: int = Field(foreign_key="college.id")
    subgroup: int = Field(sa_type=SmallInteger)


class TimetableChange(SQLModel, table=True):
    """One date's change to the timetable: a slot's pair cancelled, moved or in another room, or an
    extra lesson (migration 0017). Lessons are made from the slots and these."""

    __tablename__ = "timetable_change"
    __table_args__ = (
        Index("uq_timetable_change_slot_day", "timetable_slot_id", "lesson_date", unique=True,
              postgresql_where=sql_text("timetable_slot_id IS NOT NULL")),
        Index("ix_timetable_change_day", "college_id", "lesson_date"),
        Index("ix_timetable_change_new_day", "college_id", "new_date"),
    )  # fmt: skip
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id")
    kind: str  # cancel, move, room, extra
    timetable_slot_id: int | None = Field(default=None, foreign_key="timetable_slot.id")
    lesson_date: date  # the day the slot's lesson was due; an extra lesson's day
    new_date: date | None = None
    new_pair: int | None = Field(default=None, sa_type=SmallInteger)
    room: str | None = None
    study_group_id: int | None = Field(default=None, foreign_key="study_group.id")
    subgroup: int | None = Field(default=None, sa_type=SmallInteger)
    subject_id: int | None = Field(default=None, foreign_key="subject.id")
    teacher_id: int | None = Field(default=None, foreign_key="teacher.id")
    reason: str
    created_by_user_id: int = Field(foreign_key="user_account.id")
    created_at: datetime | None = _created_at()


class CalendarPeriod(SQLModel, table=True):
    """A period of a college's academic calendar for a year (app.calendar reads it)."""

    __tablename__ = "calendar_period"
    __table_args__ = (
        Index("uq_calendar_period_half", "college_id", "academic_year", "kind", "half", unique=True,
              postgresql_where=sql_text("kind IN ('teaching', 'session')")),
        Index("ix_calendar_period_year", "college_id", "academic_year"),
    )  # fmt: skip
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id")
    academic_year: int
    half: int | None = Field(default=None, sa_type=SmallInteger)
    kind: str  # teaching, session, practice, holidays, non_teaching
    starts_on: date
    ends_on: date
    title: str = ""
    updated_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime | None = _created_at()


class AttestationClose(SQLModel, table=True):
    """A half of an academic year the deputy director has closed: its sheets are read-only."""

    __tablename__ = "attestation_close"
    college_id: int = Field(foreign_key="college.id", primary_key=True)
    academic_year: int = Field(primary_key=True)
    half: int = Field(primary_key=True, sa_type=SmallInteger)
    closed_at: datetime | None = _created_at()
    closed_by_user_id: int = Field(foreign_key="user_account.id")
    retakes_until: date | None = None  # the deputy's deadline for retakes of this half's debts


class AuditEvent(SQLModel, table=True):
    """Who did what and when, accepted or refused. Append-only."""

    __tablename__ = "audit_event"
    __table_args__ = (
        CheckConstraint("outcome IN ('accepted', 'refused')", name="outcome_known"),
        Index("ix_audit_event_at", "occurred_at"),
        Index("uq_audit_event_chain_seq", "chain_seq", unique=True),
        # the sealer's work list (migration 0027)
        Index("ix_audit_event_unsealed", "id", postgresql_where=sql_text("chain_seq IS NULL")),
        # the per-source login throttle counts these (app.services.login_sessions)
        Index(
            "ix_audit_event_login_refused",
            "source_address",
            "occurred_at",
            postgresql_where=sql_text(
                "action IN ('login', 'login.lockout', 'login.throttled') AND outcome = 'refused'"
            ),
        ),
    )
    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    college_id: int | None = Field(default=None, foreign_key="college.id", index=True)
    occurred_at: datetime | None = _created_at()
    actor_user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    action: str  # e.g. lesson.record, mark.add, login
    entity: str = ""
    entity_id: int | None = Field(default=None, sa_type=BigInteger)
    outcome: str = "accepted"
    message: str = ""
    # Where the action came from (app.audit.origin): the browser's address and agent, the login
    # session; NULL for the command line and for entries written before migration 0013.
    source_address: str | None = None
    user_agent: str | None = None
    session_id: str | None = None
    # Set by audit_seal() after commit (migration 0027), never by the app; NULL until sealed.
    chain_seq: int | None = Field(default=None, sa_type=BigInteger)
    prev_hash: str | None = None
    hash: str | None = None
    details: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )


class CorrectionRequest(SQLModel, table=True):
    """A teacher's request to correct a wrong mark; the deputy director approves or rejects it.

    Approval records the correction as a new mark row (the original stays): `correction_mark_id`.
    """

    __tablename__ = "correction_request"
    __table_args__ = (
        CheckConstraint("status IN ('approved', 'pending', 'rejected')", name="correction_status_known"),
        CheckConstraint(f"new_value IN ({sql_in(ALL_LESSON_MARKS)})", name="correction_value_known"),
        CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)", name="correction_decided_when_not_pending"
        ),
        CheckConstraint(
            "(status = 'approved') = (correction_mark_id IS NOT NULL)", name="correction_approved_has_mark"
        ),
        # One open request per mark; the database holds it even under concurrent submissions.
        Index("uq_correction_request_pending", "mark_id", unique=True, postgresql_where="status = 'pending'"),
    )
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id", index=True)
    mark_id: int = Field(foreign_key="mark.id", index=True, sa_type=BigInteger)
    requested_by_user_id: int = Field(foreign_key="user_account.id", index=True)
    new_value: str
    reason: str = Field(sa_type=Text)
    status: str = "pending"
    decided_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = _ts()
    decision_comment: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})
    correction_mark_id: int | None = Field(default=None, foreign_key="mark.id", sa_type=BigInteger)
    created_at: datetime | None = _created_at()


class KtpVersion(SQLModel, table=True):
    """One version of a curriculum item's КТП: its topics are the plan_topic rows that name it.

    Every save by the teacher is a new draft (a newer draft withdraws the one still pending); the
    deputy director approves or rejects it with a comment. The approved version is the КТП in force:
    lessons pick their topics from it and the warehouse measures the lag against it. Versions and
    their topics are never rewritten: only the state and the decision change (grants, migration 0010).
    """

    __tablename__ = "ktp_version"
    __table_args__ = (
        UniqueConstraint("curriculum_item_id", "number", name="uq_ktp_version_number"),
        # the target of plan_topic's (ktp_version_id, curriculum_item_id) key
        UniqueConstraint("id", "curriculum_item_id", name="uq_ktp_version_id_item"),
        CheckConstraint(
            f"status IN ({sql_in([s.value for s in KtpStatus])})", name="ktp_version_status_known"
        ),
        CheckConstraint(
            f"source IN ({sql_in([s.value for s in KtpSource])})", name="ktp_version_source_known"
        ),
        CheckConstraint("(status = 'draft') = (decided_at IS NULL)", name="ktp_version_decided_unless_draft"),
        CheckConstraint("number >= 1", name="ktp_version_number_positive"),
        # one КТП in force and at most one draft awaiting a decision per item, even under concurrency
        Index(
            "uq_ktp_version_approved",
            "curriculum_item_id",
            unique=True,
            postgresql_where="status = 'approved'",
        ),
        Index("uq_ktp_version_draft", "curriculum_item_id", unique=True, postgresql_where="status = 'draft'"),
    )
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id", index=True)
    curriculum_item_id: int = Field(foreign_key="curriculum_item.id", index=True)
    number: int  # 1, 2, 3 … per curriculum item
    status: str = KtpStatus.draft.value
    source: str = KtpSource.editor.value
    note: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})  # the author's
    created_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime | None = _created_at()
    decided_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = _ts()
    decision_comment: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})


class LoginSession(SQLModel, table=True):
    """One login: the browser keeps a random token in an HttpOnly cookie, this row its hash
    (app.services.login_sessions). Ended rows stay, as the account's login history."""

    __tablename__ = "login_session"
    __table_args__ = (
        CheckConstraint("(ended_at IS NULL) = (end_reason IS NULL)", name="login_session_end_reason"),
        Index("ix_login_session_open", "user_id", postgresql_where=sql_text("ended_at IS NULL")),
    )
    id: str = Field(primary_key=True)  # what Streamlit binds a browser session to (app/web.py)
    token_hash: str = Field(unique=True)
    user_id: int = Field(foreign_key="user_account.id")
    created_at: datetime | None = _created_at()
    last_seen_at: datetime | None = _created_at()
    ended_at: datetime | None = _ts()
    end_reason: str | None = None
    source_address: str | None = None
    user_agent: str | None = None


class AppSecret(SQLModel, table=True):
    """Keys the app derives from (the keyed hash of unknown logins in the audit log)."""

    __tablename__ = "app_secret"
    name: str = Field(primary_key=True)
    value: str


NOTICE_KINDS = ("digest", "absence", "low_mark", "systematic", "debt", "announcement", "letter")
NOTICE_STATUSES = ("queued", "sent", "dead")
RECIPIENT_KINDS = ("guardian", "student")


class Notice(SQLModel, table=True):
    """One e-mail in the queue (app.notify): composed once, sent by whichever sender claims it,
    retried after a failure and set aside as dead after the last attempt. `dedupe_key` names what
    it is about and to whom, so the same notice is never queued twice."""

    __tablename__ = "notice"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(NOTICE_KINDS)})", name="notice_kind_known"),
        CheckConstraint(f"status IN ({sql_in(NOTICE_STATUSES)})", name="notice_status_known"),
        CheckConstraint(f"recipient_kind IN ({sql_in(RECIPIENT_KINDS)})", name="notice_recipient_known"),
        Index("ix_notice_due", "next_attempt_at", postgresql_where=sql_text("status = 'queued'")),
        Index("ix_notice_recipient", "recipient_kind", "recipient_id"),
    )
    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    college_id: int = Field(foreign_key="college.id")
    kind: str
    dedupe_key: str = Field(unique=True)
    recipient_kind: str
    recipient_id: int
    student_id: int | None = Field(default=None, foreign_key="student.id")  # whom it is about
    to_address: str
    subject: str
    body_text: str = Field(sa_type=Text)
    body_html: str = Field(sa_type=Text)
    attachment: bytes | None = Field(default=None, sa_type=LargeBinary)
    attachment_name: str = Field(default="", sa_column_kwargs={"server_default": ""})
    status: str = Field(default="queued", sa_column_kwargs={"server_default": "queued"})
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    next_attempt_at: datetime | None = _created_at()
    last_error: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})
    created_at: datetime | None = _created_at()
    sent_at: datetime | None = _ts()
    created_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")


class NoticePreference(SQLModel, table=True):
    """A person's choice of notices; no row: both on. The unsubscribe link and the diary's
    «Уведомления» write it."""

    __tablename__ = "notice_preference"
    __table_args__ = (
        CheckConstraint(
            f"recipient_kind IN ({sql_in(RECIPIENT_KINDS)})", name="notice_preference_recipient_known"
        ),
    )
    recipient_kind: str = Field(primary_key=True)
    recipient_id: int = Field(primary_key=True)
    college_id: int = Field(foreign_key="college.id")
    digest: bool = True
    alerts: bool = True
    updated_at: datetime | None = _created_at()


class Announcement(SQLModel, table=True):
    """A curator's message to a group's students and guardians: shown in the diary, e-mailed, and
    repeated in the week's digest."""

    __tablename__ = "announcement"
    __table_args__ = (Index("ix_announcement_group", "study_group_id", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    college_id: int = Field(foreign_key="college.id")
    study_group_id: int = Field(foreign_key="study_group.id")
    author_user_id: int = Field(foreign_key="user_account.id")
    title: str
    body: str = Field(sa_type=Text)
    created_at: datetime | None = _created_at()


class ApiToken(SQLModel, table=True):
    """A personal access token for the read-only API (app.api): the user keeps the token, this row
    its SHA-256. It reads what its user may read now: roles and access are checked afresh on
    every request, and a revoked, expired or disabled account's token reads nothing."""

    __tablename__ = "api_token"
    __table_args__ = (Index("ix_api_token_user", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    name: str
    token_hash: str = Field(unique=True)
    prefix: str  # the token's first characters, shown in the list to tell tokens apart
    created_at: datetime | None = _created_at()
    expires_at: datetime | None = _ts()
    last_used_at: datetime | None = _ts()
    revoked_at: datetime | None = _ts()
