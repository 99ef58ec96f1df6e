"""What the ETL reads from PostgreSQL. The column lists are ours (never user input); no secrets leave.

Small reference tables are re-read whole on every load. The fact tables are read incrementally:
marks and semester marks are append-only (by creation time), lessons and attendance carry
`updated_at`, maintained by a trigger.

The ETL role may read exactly these columns (column privileges, ETL_COLUMNS of migrations 0011, 0015 and 0020,
compared by tests/security/test_db_hardening.py): a column added here needs a migration granting it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    name: str  # raw table name in the warehouse is raw_<name>
    select: str  # a SELECT over the source table, without WHERE
    key: tuple[str, ...]
    changed_at: str | None = None  # column for incremental reads; None: read whole every time
    # Whose row it is (the warehouse is rebuilt college by college, etl.load): the column holding
    # the college's id, or, for a row without one, (the source it belongs to, the column naming it).
    college: str = "college_id"
    parent: tuple[str, str] | None = None
    # Read incrementally by version instead (the КТП): its rows never change, only whether their
    # version is the one in force; this column names the version (etl.extract._version_delta).
    version: str | None = None

    @property
    def raw(self) -> str:
        return f"raw_{self.name}"


REFERENCE: tuple[Source, ...] = (
    Source("college", "SELECT id, name, short_name, city FROM college", ("id",), college="id"),
    Source("speciality", "SELECT id, college_id, code, name, qualification FROM speciality", ("id",)),
    Source(
        "study_group",
        "SELECT id, college_id, speciality_id, name, admission_year, curator_teacher_id FROM study_group",
        ("id",),
    ),
    Source(
        "student",
        "SELECT id, college_id, study_group_id, last_name, first_name, middle_name, subgroup, "
        "enrolled_on, left_on FROM student",
        ("id",),
    ),
    Source(
        "teacher",
        "SELECT id, college_id, last_name, first_name, middle_name, position, user_id FROM teacher",
        ("id",),
    ),
    Source("user_account", "SELECT id, college_id, full_name FROM user_account", ("id",)),
    Source("module", "SELECT id, college_id, speciality_id, code, name FROM module", ("id",)),
    Source("subject", "SELECT id, college_id, code, name, kind, module_id FROM subject", ("id",)),
    # a student's subgroup for one subject where it differs from their own (migration 0020)
    Source(
        "subject_subgroup",
        "SELECT student_id, subject_id, subgroup FROM subject_subgroup",
        ("student_id", "subject_id"),
        parent=("student", "student_id"),
    ),
    Source(
        "curriculum_item",
        "SELECT id, college_id, study_group_id, subject_id, semester, planned_hours, "
        "attestation_form, teacher_id FROM curriculum_item",
        ("id",),
    ),
    # Topics of the approved КТП (is_current) and of the versions approved before it, which lessons
    # may still record; drafts, rejected and withdrawn versions never reach the warehouse.
    Source(
        "plan_topic",
        "SELECT p.id, p.curriculum_item_id, p.position, p.title, p.hours, p.ktp_version_id, "
        "v.number AS ktp_version, v.status = 'approved' AS is_current "
        "FROM plan_topic p JOIN ktp_version v ON v.id = p.ktp_version_id "
        "WHERE v.status IN ('approved', 'superseded')",
        ("id",),
        parent=("curriculum_item", "curriculum_item_id"),
        version="ktp_version_id",
    ),
    Source(
        "timetable_slot",
        "SELECT id, college_id, study_group_id, subgroup, weekday, pair_number, subject_id, "
        "teacher_id, room, valid_from, valid_to FROM timetable_slot",
        ("id",),
    ),
    Source(
        "calendar_period",
        "SELECT id, college_id, academic_year, half, kind, starts_on, ends_on FROM calendar_period",
        ("id",),
    ),
    Source(
        "attestation_close",
        "SELECT college_id, academic_year, half, closed_at FROM attestation_close",
        ("college_id", "academic_year", "half"),
    ),
)

FACTS: tuple[Source, ...] = (
    # append-only like marks: a retake or a correction is a new row (migration 0014)
    Source(
        "semester_mark",
        "SELECT id, college_id, curriculum_item_id, student_id, value, created_at, corrects_id "
        "FROM semester_mark",
        ("id",),
        "created_at",
    ),
    Source(
        "lesson",
        "SELECT id, college_id, study_group_id, subgroup, subject_id, semester, teacher_id, "
        "substitute_teacher_id, lesson_date, pair_number, hours, topic, plan_topic_id, work_done, work_kind, "
        "homework, topic_filled_at, work_filled_at, homework_filled_at, attendance_filled_at, updated_at "
        "FROM lesson",
        ("id",),
        "updated_at",
    ),
    Source(
        "attendance",
        "SELECT id, college_id, lesson_id, student_id, status, reason, updated_at FROM attendance",
        ("id",),
        "updated_at",
    ),
    Source(
        "mark",
        "SELECT id, college_id, lesson_id, student_id, value, work_kind, comment, created_by_user_id, "
        "created_at, corrects_mark_id, correction_reason FROM mark",
        ("id",),
        "created_at",
    ),
)

ALL: tuple[Source, ...] = REFERENCE + FACTS
