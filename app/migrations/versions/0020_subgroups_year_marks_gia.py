"""Subgroups per subject, year marks and итоговая аттестация (issue 12).

- subject_subgroup: a student's subgroup for one subject where it differs from the student's own
  (subgroup 1 for English, 2 for informatics). student_subgroup(student, subject) is the one rule
  every roster reads: the subject's subgroup if set, else the student's.
- curriculum_item.year_mark: the curriculum asks for a year mark (годовая) on this item, the
  subject's item of the year's last semester; year_mark holds them, append-only as semester_mark.
- ГИА: the subject kind «gia» and the attestation form «gia»: the state final attestation is a
  curriculum item of the last semester, and its sheet is filled as any other.

Revision ID: 0020
Revises: 0019
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_PATH = "pg_catalog, public, pg_temp"
OLD_FORMS = "'credit', 'diff_credit', 'exam', 'other', 'qual_exam'"
NEW_FORMS = "'credit', 'diff_credit', 'exam', 'gia', 'other', 'qual_exam'"
OLD_KINDS = "'discipline', 'mdk', 'training_practice', 'work_practice'"
NEW_KINDS = "'discipline', 'gia', 'mdk', 'training_practice', 'work_practice'"
YEAR_VALUES = "'2', '3', '4', '5', 'зач', 'н/а', 'незач'"

ADDED: dict[str, tuple[str, ...]] = {
    "subject_subgroup": ("student_id", "subject_id", "subgroup"),
}


def _migration(file: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"ejournal_{file[:4]}", Path(__file__).with_name(file))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ETL_COLUMNS: dict[str, tuple[str, ...]] = {
    **_migration("0015_etl_reads_the_calendar.py").ETL_COLUMNS,
    **ADDED,
}


def _restrict(columns: dict[str, tuple[str, ...]]) -> None:
    hardening = _migration("0011_db_hardening.py")
    calendar = _migration("0015_etl_reads_the_calendar.py")
    body = hardening.RESTRICT_ROLES.replace(hardening._etl_values(), calendar._values(columns))
    assert body != hardening.RESTRICT_ROLES
    op.execute(body)
    op.execute("SELECT ejournal_restrict_roles()")


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE subject_subgroup (
            student_id integer NOT NULL REFERENCES student (id) ON DELETE CASCADE,
            subject_id integer NOT NULL REFERENCES subject (id),
            college_id integer NOT NULL REFERENCES college (id),
            subgroup smallint NOT NULL CHECK (subgroup IN (1, 2)),
            PRIMARY KEY (student_id, subject_id)
        )
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION student_subgroup(p_student integer, p_subject integer) RETURNS smallint
        LANGUAGE sql STABLE SET search_path = {SEARCH_PATH} AS $$
            SELECT coalesce(
                (SELECT g.subgroup FROM public.subject_subgroup g
                 WHERE g.student_id = p_student AND g.subject_id = p_subject),
                (SELECT s.subgroup FROM public.student s WHERE s.id = p_student))
        $$
        """
    )
    op.execute("ALTER TABLE curriculum_item ADD COLUMN year_mark boolean NOT NULL DEFAULT false")
    op.execute("ALTER TABLE curriculum_item DROP CONSTRAINT attestation_known")
    op.execute(
        f"ALTER TABLE curriculum_item ADD CONSTRAINT attestation_known CHECK (attestation_form IN ({NEW_FORMS}))"
    )
    op.execute("ALTER TABLE subject DROP CONSTRAINT subject_kind_known")
    op.execute(f"ALTER TABLE subject ADD CONSTRAINT subject_kind_known CHECK (kind IN ({NEW_KINDS}))")
    op.execute(
        f"""
        CREATE TABLE year_mark (
            id bigserial PRIMARY KEY,
            college_id integer NOT NULL REFERENCES college (id),
            curriculum_item_id integer NOT NULL REFERENCES curriculum_item (id),
            student_id integer NOT NULL REFERENCES student (id),
            value text NOT NULL CONSTRAINT year_mark_value_known CHECK (value IN ({YEAR_VALUES})),
            created_by_user_id integer NOT NULL REFERENCES user_account (id),
            created_at timestamptz NOT NULL DEFAULT now(),
            corrects_id bigint UNIQUE REFERENCES year_mark (id),
            correction_reason text,
            kind text NOT NULL DEFAULT 'original'
                CONSTRAINT year_mark_kind_known CHECK (kind IN ('original', 'correction')),
            taken_on date,
            CONSTRAINT year_mark_kind_chain CHECK ((kind = 'original') = (corrects_id IS NULL))
        )
        """
    )
    op.execute(
        "CREATE UNIQUE INDEX uq_year_mark_once ON year_mark (curriculum_item_id, student_id) "
        "WHERE corrects_id IS NULL"
    )
    op.execute("CREATE INDEX ix_year_mark_student ON year_mark (student_id)")
    # the same guards as semester_mark's: never changed, the server's clock (0002, 0014)
    op.execute(
        "CREATE TRIGGER year_mark_append_only BEFORE UPDATE OR DELETE ON year_mark FOR EACH ROW "
        "EXECUTE FUNCTION ejournal_refuse_change('Годовые отметки не изменяются и не удаляются.')"
    )
    op.execute(
        "CREATE TRIGGER year_mark_no_truncate BEFORE TRUNCATE ON year_mark FOR EACH STATEMENT "
        "EXECUTE FUNCTION ejournal_refuse_change('Годовые отметки не изменяются и не удаляются.')"
    )
    op.execute(
        "CREATE TRIGGER year_mark_stamp BEFORE INSERT ON year_mark "
        "FOR EACH ROW EXECUTE FUNCTION ejournal_semester_mark_stamp()"
    )
    _restrict(ETL_COLUMNS)


def downgrade() -> None:
    _restrict(_migration("0015_etl_reads_the_calendar.py").ETL_COLUMNS)
    op.execute("DROP TABLE year_mark")
    op.execute("ALTER TABLE subject DROP CONSTRAINT subject_kind_known")
    op.execute(f"ALTER TABLE subject ADD CONSTRAINT subject_kind_known CHECK (kind IN ({OLD_KINDS}))")
    op.execute("ALTER TABLE curriculum_item DROP CONSTRAINT attestation_known")
    op.execute(
        f"ALTER TABLE curriculum_item ADD CONSTRAINT attestation_known CHECK (attestation_form IN ({OLD_FORMS}))"
    )
    op.execute("ALTER TABLE curriculum_item DROP COLUMN year_mark")
    op.execute("DROP FUNCTION student_subgroup(integer, integer)")
    op.execute("DROP TABLE subject_subgroup")
