"""Промежуточная аттестация: the attestation sheet's marks, retakes, the session window, closing.

- calendar_period: a college's academic calendar for a year, period by period (the attestation
  session of each half first; teaching, practice, holidays and non-teaching days beside it).
  Where a year has no stored session, app.calendar's default pattern holds.
- semester_mark gets `kind` (original, retake, correction), `taken_on` (the day of the exam or
  retake) and `commission` (who took a retake); «не допущен» joins the values. A retake is a new
  row correcting the current one, as a correction is; nothing is ever updated.
- For non-owner roles, a semester mark's created_at is the server's now(), as for marks; a row
  correcting another is a correction unless it says it is a retake.
- attestation_close: the deputy director closes a half of a year; its sheets are read-only after.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_PATH = "pg_catalog, public, pg_temp"
OLD_VALUES = "'2', '3', '4', '5', 'зач', 'н/а', 'незач'"
NEW_VALUES = "'2', '3', '4', '5', 'зач', 'н/а', 'не допущен', 'незач'"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE calendar_period (
            id serial PRIMARY KEY,
            college_id integer NOT NULL REFERENCES college (id),
            academic_year integer NOT NULL CHECK (academic_year BETWEEN 1990 AND 2100),
            half smallint CHECK (half IN (1, 2)),
            kind text NOT NULL CHECK (kind IN ('teaching', 'session', 'practice', 'holidays', 'non_teaching')),
            starts_on date NOT NULL,
            ends_on date NOT NULL,
            title text NOT NULL DEFAULT '',
            updated_by_user_id integer REFERENCES user_account (id),
            updated_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT calendar_period_order CHECK (ends_on >= starts_on),
            CONSTRAINT calendar_period_half CHECK ((kind IN ('teaching', 'session')) = (half IS NOT NULL))
        )
        """
    )
    op.execute(
        "CREATE UNIQUE INDEX uq_calendar_period_half ON calendar_period (college_id, academic_year, kind, half) "
        "WHERE kind IN ('teaching', 'session')"
    )
    op.execute("CREATE INDEX ix_calendar_period_year ON calendar_period (college_id, academic_year)")
    op.execute(
        "ALTER TABLE semester_mark ADD COLUMN kind text NOT NULL DEFAULT 'original', "
        "ADD COLUMN taken_on date, ADD COLUMN commission text"
    )
    # The one update this table ever gets: the rows written before say what they were.
    op.execute("ALTER TABLE semester_mark DISABLE TRIGGER semester_mark_append_only")
    op.execute("UPDATE semester_mark SET kind = 'correction' WHERE corrects_id IS NOT NULL")
    op.execute("ALTER TABLE semester_mark ENABLE TRIGGER semester_mark_append_only")
    op.execute(
        "ALTER TABLE semester_mark ADD CONSTRAINT semester_mark_kind_known "
        "CHECK (kind IN ('original', 'retake', 'correction')), "
        "ADD CONSTRAINT semester_mark_kind_chain CHECK ((kind = 'original') = (corrects_id IS NULL))"
    )
    op.execute("ALTER TABLE semester_mark DROP CONSTRAINT semester_mark_value_known")
    op.execute(
        f"ALTER TABLE semester_mark ADD CONSTRAINT semester_mark_value_known CHECK (value IN ({NEW_VALUES}))"
    )
    op.execute(
        f"""
        CREATE FUNCTION ejournal_semester_mark_stamp() RETURNS trigger LANGUAGE plpgsql
        SET search_path = {SEARCH_PATH} AS $$
        BEGIN
            IF ejournal_rules_apply() THEN
                NEW.created_at := now();
            END IF;
            -- a row that replaces another without saying how is a correction (the deputy's)
            IF NEW.corrects_id IS NOT NULL AND NEW.kind = 'original' THEN
                NEW.kind := 'correction';
            END IF;
            RETURN NEW;
        END $$;
        """
    )
    op.execute(
        "CREATE TRIGGER semester_mark_stamp BEFORE INSERT ON semester_mark "
        "FOR EACH ROW EXECUTE FUNCTION ejournal_semester_mark_stamp()"
    )
    op.execute(
        """
        CREATE TABLE attestation_close (
            college_id integer NOT NULL REFERENCES college (id),
            academic_year integer NOT NULL,
            half smallint NOT NULL CHECK (half IN (1, 2)),
            closed_at timestamptz NOT NULL DEFAULT now(),
            closed_by_user_id integer NOT NULL REFERENCES user_account (id),
            PRIMARY KEY (college_id, academic_year, half)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE attestation_close")
    op.execute("DROP TRIGGER semester_mark_stamp ON semester_mark")
    op.execute("DROP FUNCTION ejournal_semester_mark_stamp()")
    op.execute("ALTER TABLE semester_mark DROP CONSTRAINT semester_mark_value_known")
    op.execute(
        f"ALTER TABLE semester_mark ADD CONSTRAINT semester_mark_value_known CHECK (value IN ({OLD_VALUES}))"
    )
    op.execute(
        "ALTER TABLE semester_mark DROP CONSTRAINT semester_mark_kind_chain, "
        "DROP CONSTRAINT semester_mark_kind_known, DROP COLUMN kind, DROP COLUMN taken_on, DROP COLUMN commission"
    )
    op.execute("DROP TABLE calendar_period")
