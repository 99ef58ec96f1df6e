"""Database roles and the lesson-day rule in the database itself.

- ejournal_app: what the app connects as. It does not own the tables; marks, semester marks and
  the audit log are INSERT/SELECT only for it.
- ejournal_etl: read-only, and blind to password hashes (column privileges).
- The owner (migrations, the demo seed, restores, the history import) is not bound by the
  lesson-day triggers: those bulk paths rightly write history.
- For every other role, triggers check the regulation's day rules against the server's clock in
  the college's time zone (college.timezone), so a client that skips the service is refused too.

Revision ID: 0007
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("mark", "semester_mark", "audit_event")


def upgrade() -> None:
    op.execute("ALTER TABLE college ADD COLUMN timezone text NOT NULL DEFAULT 'Europe/Moscow'")
    op.execute("ALTER TABLE college ADD COLUMN checking_deadline_days integer NOT NULL DEFAULT 7")
    op.execute(
        """
        DO $$
        DECLARE
            can_create boolean := (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user);
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ejournal_app') THEN
                IF can_create THEN
                    -- roles are cluster-wide: another database's migration may create it meanwhile
                    BEGIN CREATE ROLE ejournal_app LOGIN;
                    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                    END;
                ELSE RAISE NOTICE 'cannot create role ejournal_app: create it and re-run the grants';
                END IF;
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ejournal_etl') THEN
                IF can_create THEN
                    -- roles are cluster-wide: another database's migration may create it meanwhile
                    BEGIN CREATE ROLE ejournal_etl LOGIN;
                    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                    END;
                ELSE RAISE NOTICE 'cannot create role ejournal_etl: create it and re-run the grants';
                END IF;
            END IF;
        END $$;
        """
    )
    op.execute(
        """
        CREATE FUNCTION ejournal_grant_roles() RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ejournal_app') THEN
                EXECUTE format('GRANT CONNECT ON DATABASE %I TO ejournal_app', current_database());
                GRANT USAGE ON SCHEMA public TO ejournal_app;
                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ejournal_app;
                GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ejournal_app;
                REVOKE UPDATE, DELETE, TRUNCATE ON mark, semester_mark, audit_event FROM ejournal_app;
                REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM ejournal_app;
                -- the college's clock and deadline are the owner's settings
                REVOKE UPDATE ON college FROM ejournal_app;
                GRANT UPDATE (name, short_name, city) ON college TO ejournal_app;
            END IF;
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ejournal_etl') THEN
                EXECUTE format('GRANT CONNECT ON DATABASE %I TO ejournal_etl', current_database());
                GRANT USAGE ON SCHEMA public TO ejournal_etl;
                GRANT SELECT ON ALL TABLES IN SCHEMA public TO ejournal_etl;
                REVOKE SELECT ON user_account FROM ejournal_etl;
                GRANT SELECT (id, college_id, full_name, is_active) ON user_account TO ejournal_etl;
            END IF;
        END $$;
        """
    )
    op.execute("SELECT ejournal_grant_roles()")

    op.execute(
        """
        CREATE FUNCTION ejournal_rules_apply() RETURNS boolean LANGUAGE sql STABLE AS $$
            -- the owner and superusers run the bulk paths (seed, restore, history import)
            SELECT NOT (r.rolsuper OR r.rolname = (SELECT tableowner FROM pg_tables
                                                   WHERE schemaname = 'public' AND tablename = 'lesson'))
            FROM pg_roles r WHERE r.rolname = current_user
        $$;
        """
    )
    op.execute(
        """
        CREATE FUNCTION ejournal_college_today(p_college integer) RETURNS date LANGUAGE sql STABLE AS $$
            SELECT (now() AT TIME ZONE c.timezone)::date FROM college c WHERE c.id = p_college
        $$;
        """
    )
    op.execute(
        """
        CREATE FUNCTION ejournal_lesson_day_rule() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            today date;
        BEGIN
            IF NOT ejournal_rules_apply() THEN RETURN NEW; END IF;
            today := ejournal_college_today(NEW.college_id);
            IF TG_OP = 'INSERT' THEN
                IF NEW.lesson_date < today AND (NEW.topic IS NOT NULL OR NEW.work_done IS NOT NULL
                        OR NEW.homework IS NOT NULL OR NEW.attendance_filled_at IS NOT NULL) THEN
                    RAISE EXCEPTION 'Занятие % не может быть записано задним числом (§4.2.1).',
                        to_char(NEW.lesson_date, 'DD.MM.YYYY');
                END IF;
                RETURN NEW;
            END IF;
            IF OLD.lesson_date > today AND (NEW.topic, NEW.work_done, NEW.work_kind, NEW.homework,
                    NEW.attendance_filled_at) IS DISTINCT FROM (OLD.topic, OLD.work_done, OLD.work_kind,
                    OLD.homework, OLD.attendance_filled_at) THEN
                RAISE EXCEPTION 'Занятие % ещё не наступило: журнал заполняется в день занятия.',
                    to_char(OLD.lesson_date, 'DD.MM.YYYY');
            END IF;
            IF OLD.lesson_date < today THEN
                IF (NEW.college_id, NEW.study_group_id, NEW.subgroup, NEW.subject_id, NEW.teacher_id,
                        NEW.substitute_teacher_id, NEW.lesson_date, NEW.pair_number)
                   IS DISTINCT FROM (OLD.college_id, OLD.study_group_id, OLD.subgroup, OLD.subject_id,
                        OLD.teacher_id, OLD.substitute_teacher_id, OLD.lesson_date, OLD.pair_number)
                   OR (OLD.topic IS NOT NULL AND NEW.topic IS DISTINCT FROM OLD.topic)
                   OR (OLD.plan_topic_id IS NOT NULL AND NEW.plan_topic_id IS DISTINCT FROM OLD.plan_topic_id)
                   OR (OLD.work_done IS NOT NULL AND NEW.work_done IS DISTINCT FROM OLD.work_done)
                   OR (OLD.work_kind IS NOT NULL AND NEW.work_kind IS DISTINCT FROM OLD.work_kind)
                   OR (OLD.homework IS NOT NULL AND NEW.homework IS DISTINCT FROM OLD.homework)
                   OR (OLD.topic_filled_at IS NOT NULL AND NEW.topic_filled_at IS DISTINCT FROM OLD.topic_filled_at)
                   OR (OLD.work_filled_at IS NOT NULL AND NEW.work_filled_at IS DISTINCT FROM OLD.work_filled_at)
                   OR (OLD.homework_filled_at IS NOT NULL
                       AND NEW.homework_filled_at IS DISTINCT FROM OLD.homework_filled_at)
                   OR (OLD.attendance_filled_at IS NOT NULL
                       AND NEW.attendance_filled_at IS DISTINCT FROM OLD.attendance_filled_at) THEN
                    RAISE EXCEPTION 'Занятие % прошло: заполненное не изменяется, пустые поля можно дописать (§4.2.1).',
                        to_char(OLD.lesson_date, 'DD.MM.YYYY');
                END IF;
            END IF;
            RETURN NEW;
        END $$;
        """
    )
    op.execute(
        "CREATE TRIGGER lesson_day_rule BEFORE INSERT OR UPDATE ON lesson "
        "FOR EACH ROW EXECUTE FUNCTION ejournal_lesson_day_rule()"
    )
    op.execute(
        """
        CREATE FUNCTION ejournal_mark_day_rule() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            l record;
            today date;
            deadline integer;
            tz text;
        BEGIN
            IF NOT ejournal_rules_apply() OR NEW.corrects_mark_id IS NOT NULL THEN RETURN NEW; END IF;
            SELECT lesson.*, c.checking_deadline_days AS deadline_days, c.timezone AS college_tz INTO l
            FROM lesson JOIN college c ON c.id = lesson.college_id WHERE lesson.id = NEW.lesson_id;
            today := ejournal_college_today(l.college_id);
            IF l.lesson_date > today THEN
                RAISE EXCEPTION 'Занятие % ещё не наступило: отметка не принята.', to_char(l.lesson_date, 'DD.MM.YYYY');
            END IF;
            IF l.lesson_date < today AND NOT (
                    NEW.work_kind IN ('written', 'independent', 'control', 'test')
                    AND NEW.work_kind = l.work_kind
                    AND (l.work_filled_at AT TIME ZONE l.college_tz)::date <= l.lesson_date
                    AND today <= l.lesson_date + l.deadline_days) THEN
                RAISE EXCEPTION 'Выставление отметок «задним числом» запрещено (§4.2.1): занятие %.',
                    to_char(l.lesson_date, 'DD.MM.YYYY');
            END IF;
            RETURN NEW;
        END $$;
        """
    )
    op.execute(
        "CREATE TRIGGER mark_day_rule BEFORE INSERT ON mark FOR EACH ROW EXECUTE FUNCTION ejournal_mark_day_rule()"
    )
    op.execute(
        """
        CREATE FUNCTION ejournal_attendance_day_rule() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            l record;
            today date;
            row_lesson bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.lesson_id ELSE NEW.lesson_id END;
        BEGIN
            IF NOT ejournal_rules_apply() THEN RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END; END IF;
            SELECT * INTO l FROM lesson WHERE id = row_lesson;
            today := ejournal_college_today(l.college_id);
            IF l.lesson_date > today THEN
                RAISE EXCEPTION 'Занятие % ещё не наступило: посещаемость не отмечается.',
                    to_char(l.lesson_date, 'DD.MM.YYYY');
            END IF;
            IF l.lesson_date < today THEN
                -- the curator records a valid reason for an absence, any time
                IF TG_OP = 'UPDATE' AND OLD.status IN ('absent', 'excused') AND NEW.status = 'excused'
                   AND NEW.lesson_id = OLD.lesson_id AND NEW.student_id = OLD.student_id THEN
                    RETURN NEW;
                END IF;
                -- attendance never taken may be taken late, once (this very transaction stamps it)
                IF l.attendance_filled_at IS NOT NULL AND l.attendance_filled_at < now() THEN
                    RAISE EXCEPTION 'Посещаемость занятия % уже отмечена; после дня занятия её меняет только куратор.',
                        to_char(l.lesson_date, 'DD.MM.YYYY');
                END IF;
            END IF;
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$;
        """
    )
    op.execute(
        "CREATE TRIGGER attendance_day_rule BEFORE INSERT OR UPDATE OR DELETE ON attendance "
        "FOR EACH ROW EXECUTE FUNCTION ejournal_attendance_day_rule()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS attendance_day_rule ON attendance")
    op.execute("DROP TRIGGER IF EXISTS mark_day_rule ON mark")
    op.execute("DROP TRIGGER IF EXISTS lesson_day_rule ON lesson")
    for fn in (
        "ejournal_attendance_day_rule()",
        "ejournal_mark_day_rule()",
        "ejournal_lesson_day_rule()",
        "ejournal_college_today(integer)",
        "ejournal_rules_apply()",
        "ejournal_grant_roles()",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    op.execute("ALTER TABLE college DROP COLUMN checking_deadline_days, DROP COLUMN timezone")
