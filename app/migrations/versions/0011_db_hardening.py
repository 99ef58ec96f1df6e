"""Rules the app role cannot switch off (findings of the penetration test, docs/security.md).

- Every function of the schema runs with a fixed search_path (pg_catalog, public, and pg_temp
  last: a temporary object never shadows a catalog view or a table), and names the catalog
  qualified; nobody but the owner may create temporary objects or objects in schema public.
  Before, `CREATE TEMP VIEW pg_roles … rolsuper` as ejournal_app made ejournal_rules_apply() false
  and switched every day rule off.
- A correcting mark row from a non-owner role is accepted only when it is a deputy director's of
  the mark's college, corrects a mark of the same lesson, student and kind of work, with a reason
  and another value, and is audited as `mark.correct` in the same transaction. Before, any row
  with corrects_mark_id skipped the lesson-day rule, so the app role could "correct" any mark.
- lesson.*_filled_at, mark.created_at and audit_event.occurred_at are the server's now() for
  non-owner roles, whatever the client sends (a backdated stamp hid late filling; a backdated
  audit entry still verified in the chain).
- ejournal_etl reads exactly the columns etl/sources.py selects (column privileges): no guardian
  phones or e-mails, birth dates, audit details, password hashes (152-ФЗ).

The owner (migrations, the demo seed, restores, the history import) stays unbound, as in 0007.

The privileges live in ejournal_restrict_roles(), which app.migrate.apply_settings runs right
after ejournal_grant_roles() at the end of every upgrade and restore: it re-applies the database's
own privileges (a dump does not carry them), narrows the ETL role after the broad grant, and pins
the search_path of every function of schema public, so a function another branch adds gets it
too. ejournal_grant_roles() itself is left as it is: 0010 redefines it on its own branch (the
КТП tables' app grants), and whichever branch ran last would win.

Revision ID: 0011
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# pg_temp named last: left out, PostgreSQL would search it first for tables and views.
SEARCH_PATH = "pg_catalog, public, pg_temp"

# What etl/sources.py reads, table by table (tests/security/test_db_hardening.py compares the two;
# a table or column missing from the schema is passed over).
ETL_COLUMNS: dict[str, tuple[str, ...]] = {
    "college": ("id", "name", "short_name", "city"),
    "speciality": ("id", "college_id", "code", "name", "qualification"),
    "study_group": ("id", "college_id", "speciality_id", "name", "admission_year", "curator_teacher_id"),
    "student": (
        "id",
        "college_id",
        "study_group_id",
        "last_name",
        "first_name",
        "middle_name",
        "subgroup",
        "enrolled_on",
        "left_on",
    ),
    "teacher": ("id", "college_id", "last_name", "first_name", "middle_name", "position", "user_id"),
    "user_account": ("id", "college_id", "full_name"),
    "module": ("id", "college_id", "speciality_id", "code", "name"),
    "subject": ("id", "college_id", "code", "name", "kind", "module_id"),
    "curriculum_item": (
        "id",
        "college_id",
        "study_group_id",
        "subject_id",
        "semester",
        "planned_hours",
        "attestation_form",
        "teacher_id",
    ),
    # the КТП's versions (0010, a parallel branch): granted where the column or table exists
    "plan_topic": ("id", "curriculum_item_id", "position", "title", "hours", "ktp_version_id"),
    "ktp_version": ("id", "number", "status"),
    "timetable_slot": (
        "id",
        "college_id",
        "study_group_id",
        "subgroup",
        "weekday",
        "pair_number",
        "subject_id",
        "teacher_id",
        "room",
        "valid_from",
        "valid_to",
    ),
    "semester_mark": (
        "id",
        "college_id",
        "curriculum_item_id",
        "student_id",
        "value",
        "created_at",
        "corrects_id",
    ),
    "lesson": (
        "id",
        "college_id",
        "study_group_id",
        "subgroup",
        "subject_id",
        "semester",
        "teacher_id",
        "substitute_teacher_id",
        "lesson_date",
        "pair_number",
        "hours",
        "topic",
        "plan_topic_id",
        "work_done",
        "work_kind",
        "homework",
        "topic_filled_at",
        "work_filled_at",
        "homework_filled_at",
        "attendance_filled_at",
        "updated_at",
    ),
    "attendance": ("id", "college_id", "lesson_id", "student_id", "status", "reason", "updated_at"),
    "mark": (
        "id",
        "college_id",
        "lesson_id",
        "student_id",
        "value",
        "work_kind",
        "comment",
        "created_by_user_id",
        "created_at",
        "corrects_mark_id",
        "correction_reason",
    ),
}

# The functions 0002-0009 created (downgrade resets their search_path).
EARLIER_FUNCTIONS = (
    "ejournal_refuse_change()",
    "ejournal_touch_updated_at()",
    "audit_event_digest(text, bigint, audit_event)",
    "audit_event_chain()",
    "ejournal_grant_roles()",
    "ejournal_rules_apply()",
    "ejournal_college_today(integer)",
    "ejournal_lesson_day_rule()",
    "ejournal_mark_day_rule()",
    "ejournal_attendance_day_rule()",
)


def _etl_values() -> str:
    rows = []
    for table, columns in ETL_COLUMNS.items():
        array = ", ".join(f"'{c}'" for c in columns)
        rows.append(f"('{table}', ARRAY[{array}])")
    return ",\n                    ".join(rows)


RESTRICT_ROLES = f"""
CREATE OR REPLACE FUNCTION ejournal_restrict_roles() RETURNS void LANGUAGE plpgsql
SET search_path = {SEARCH_PATH} AS $$
DECLARE
    t record;
    f regprocedure;
    cols text;
BEGIN
    -- Only the owner creates objects: no temporary shadows of the catalog or of our tables.
    -- A database's own privileges are not in a dump: a restore gets them here again.
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    -- Every function of the schema, whichever migration made it, runs with a fixed search_path.
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                            AND d.deptype = 'e')
          AND NOT coalesce('search_path={SEARCH_PATH}' = ANY (p.proconfig), false)
    LOOP
        BEGIN
            EXECUTE format('ALTER FUNCTION %s SET search_path = {SEARCH_PATH}', f);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING 'cannot pin the search_path of %: not its owner', f;
        END;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ejournal_app') THEN
        EXECUTE format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM ejournal_app', current_database());
        REVOKE CREATE ON SCHEMA public FROM ejournal_app;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ejournal_etl') THEN
        EXECUTE format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM ejournal_etl', current_database());
        REVOKE CREATE ON SCHEMA public FROM ejournal_etl;
        -- Exactly what etl/sources.py reads (a table-level REVOKE takes the column grants too):
        -- guardians' contacts, birth dates, the audit log and password hashes are refused (152-ФЗ).
        REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ejournal_etl;
        REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ejournal_etl;
        FOR t IN
            SELECT * FROM (VALUES
                    {_etl_values()}
            ) AS v(tbl, cols)
        LOOP
            SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
            FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = pg_catalog.to_regclass('public.' || pg_catalog.quote_ident(t.tbl))
              AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY (t.cols);
            IF cols IS NOT NULL THEN
                EXECUTE format('GRANT SELECT (%s) ON public.%I TO ejournal_etl', cols, t.tbl);
            END IF;
        END LOOP;
    END IF;
END $$;
"""

RULES_APPLY = f"""
CREATE OR REPLACE FUNCTION ejournal_rules_apply() RETURNS boolean LANGUAGE sql STABLE
SET search_path = {SEARCH_PATH} AS $$
    -- the owner and superusers run the bulk paths (seed, restore, history import);
    -- the catalog is named qualified, and an unknown role is bound
    SELECT coalesce((
        SELECT NOT (r.rolsuper OR r.rolname = (SELECT t.tableowner FROM pg_catalog.pg_tables t
                                               WHERE t.schemaname = 'public' AND t.tablename = 'lesson'))
        FROM pg_catalog.pg_roles r WHERE r.rolname = current_user
    ), true)
$$;
"""

MARK_RULE = f"""
CREATE OR REPLACE FUNCTION ejournal_mark_day_rule() RETURNS trigger LANGUAGE plpgsql
SET search_path = {SEARCH_PATH} AS $$
DECLARE
    l record;
    corrected record;
    today date;
BEGIN
    IF NOT ejournal_rules_apply() THEN RETURN NEW; END IF;
    NEW.created_at := now();
    IF NEW.corrects_mark_id IS NOT NULL THEN
        -- a correction is the deputy director's, of a mark of the same lesson, student and work
        SELECT m.* INTO corrected FROM public.mark m WHERE m.id = NEW.corrects_mark_id;
        IF NOT FOUND OR (corrected.college_id, corrected.lesson_id, corrected.student_id, corrected.work_kind)
                IS DISTINCT FROM (NEW.college_id, NEW.lesson_id, NEW.student_id, NEW.work_kind) THEN
            RAISE EXCEPTION 'Исправление не принято: отметка № % этого студента за эту работу не найдена.',
                NEW.corrects_mark_id;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM public.user_account u JOIN public.user_role r ON r.user_id = u.id
                       WHERE u.id = NEW.created_by_user_id AND u.is_active AND u.college_id = NEW.college_id
                         AND r.role = 'deputy') THEN
            RAISE EXCEPTION 'Исправлять отметки может только заместитель директора по УР (§4.2.1): исправление не принято.';
        END IF;
        IF NEW.value = corrected.value THEN
            RAISE EXCEPTION 'Новая отметка совпадает с прежней: исправлять нечего.';
        END IF;
        IF length(btrim(coalesce(NEW.correction_reason, ''))) < 5 THEN
            RAISE EXCEPTION 'Укажите причину исправления (не короче 5 символов).';
        END IF;
        RETURN NEW;  -- mark_correction_audited checks the audit entry at commit
    END IF;
    SELECT lesson.*, c.checking_deadline_days AS deadline_days, c.timezone AS college_tz INTO l
    FROM public.lesson JOIN public.college c ON c.id = lesson.college_id WHERE lesson.id = NEW.lesson_id;
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

# At commit: the correction is in the audit log, by its deputy, naming this very row
# (journal.record_correction writes it; the service's own audit entry, not a second one).
CORRECTION_AUDITED = f"""
CREATE FUNCTION ejournal_correction_audited() RETURNS trigger LANGUAGE plpgsql
SET search_path = {SEARCH_PATH} AS $$
BEGIN
    IF NOT ejournal_rules_apply() THEN RETURN NULL; END IF;
    -- occurred_at is this transaction's now() for every non-owner (audit_event_chain)
    IF NOT EXISTS (SELECT 1 FROM public.audit_event a
                   WHERE a.occurred_at = now() AND a.action = 'mark.correct' AND a.outcome = 'accepted'
                     AND a.entity = 'mark' AND a.entity_id = NEW.corrects_mark_id
                     AND a.actor_user_id = NEW.created_by_user_id
                     AND a.details ->> 'new_mark_id' = NEW.id::text) THEN
        RAISE EXCEPTION 'Исправление отметки № % не записано в журнал аудита: не принято.', NEW.corrects_mark_id;
    END IF;
    RETURN NULL;
END $$;
"""

# Filled-at stamps follow their fields and are the server's: a backdated stamp cannot hide late
# filling, nor a future one keep attendance open.
LESSON_STAMPS = f"""
CREATE FUNCTION ejournal_lesson_server_stamps() RETURNS trigger LANGUAGE plpgsql
SET search_path = {SEARCH_PATH} AS $$
BEGIN
    IF NOT ejournal_rules_apply() THEN RETURN NEW; END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.topic_filled_at := CASE WHEN NEW.topic IS NULL AND NEW.plan_topic_id IS NULL THEN NULL ELSE now() END;
        NEW.work_filled_at := CASE WHEN NEW.work_done IS NULL AND NEW.work_kind IS NULL THEN NULL ELSE now() END;
        NEW.homework_filled_at := CASE WHEN NEW.homework IS NULL THEN NULL ELSE now() END;
        NEW.attendance_filled_at := CASE WHEN NEW.attendance_filled_at IS NULL THEN NULL ELSE now() END;
        RETURN NEW;
    END IF;
    IF (NEW.topic, NEW.plan_topic_id, NEW.topic_filled_at)
            IS DISTINCT FROM (OLD.topic, OLD.plan_topic_id, OLD.topic_filled_at) THEN
        NEW.topic_filled_at := CASE WHEN NEW.topic IS NULL AND NEW.plan_topic_id IS NULL THEN NULL ELSE now() END;
    END IF;
    IF (NEW.work_done, NEW.work_kind, NEW.work_filled_at)
            IS DISTINCT FROM (OLD.work_done, OLD.work_kind, OLD.work_filled_at) THEN
        NEW.work_filled_at := CASE WHEN NEW.work_done IS NULL AND NEW.work_kind IS NULL THEN NULL ELSE now() END;
    END IF;
    IF (NEW.homework, NEW.homework_filled_at) IS DISTINCT FROM (OLD.homework, OLD.homework_filled_at) THEN
        NEW.homework_filled_at := CASE WHEN NEW.homework IS NULL THEN NULL ELSE now() END;
    END IF;
    IF NEW.attendance_filled_at IS DISTINCT FROM OLD.attendance_filled_at THEN
        NEW.attendance_filled_at := CASE WHEN NEW.attendance_filled_at IS NULL THEN NULL ELSE now() END;
    END IF;
    RETURN NEW;
END $$;
"""

# actor_user_id already references user_account (0001). Who really acted cannot be proven to the
# database: the app role connects for every user and there is no database session per user, so
# a client holding the app role's connection can still name another existing user. The entry is
# then at least in the chain, at the server's time.
AUDIT_CHAIN = f"""
CREATE OR REPLACE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql
SET search_path = {SEARCH_PATH} AS $$
DECLARE
    last record;
BEGIN
    -- one writer at a time extends the chain; the lock is held until commit
    PERFORM pg_advisory_xact_lock(hashtext('ejournal.audit_event'));
    SELECT chain_seq, hash INTO last FROM public.audit_event ORDER BY chain_seq DESC NULLS LAST LIMIT 1;
    -- the server's time for everyone but the owner (restores and imports carry their history)
    NEW.occurred_at := CASE WHEN ejournal_rules_apply() THEN now() ELSE coalesce(NEW.occurred_at, now()) END;
    NEW.chain_seq := coalesce(last.chain_seq, 0) + 1;
    NEW.prev_hash := coalesce(last.hash, repeat('0', 64));
    NEW.hash := audit_event_digest(NEW.prev_hash, NEW.chain_seq, NEW);
    RETURN NEW;
END $$;
"""


def upgrade() -> None:
    for body in (RULES_APPLY, MARK_RULE, AUDIT_CHAIN, CORRECTION_AUDITED, LESSON_STAMPS, RESTRICT_ROLES):
        op.execute(body)
    op.execute(
        "CREATE CONSTRAINT TRIGGER mark_correction_audited AFTER INSERT ON mark "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.corrects_mark_id IS NOT NULL) "
        "EXECUTE FUNCTION ejournal_correction_audited()"
    )
    # After lesson_day_rule (triggers fire by name), which judges what the client sent.
    op.execute(
        "CREATE TRIGGER lesson_server_stamps BEFORE INSERT OR UPDATE ON lesson "
        "FOR EACH ROW EXECUTE FUNCTION ejournal_lesson_server_stamps()"
    )
    for fn in EARLIER_FUNCTIONS:
        op.execute(f"ALTER FUNCTION {fn} SET search_path = {SEARCH_PATH}")
    # Database privileges, every function's search_path, the narrow ETL grants; app.migrate runs
    # it again after ejournal_grant_roles() at the end of every upgrade and restore.
    op.execute("SELECT ejournal_restrict_roles()")


# --------------------------------------------------------------------------- downgrade: the earlier bodies

OLD_RULES_APPLY = """
CREATE OR REPLACE FUNCTION ejournal_rules_apply() RETURNS boolean LANGUAGE sql STABLE AS $$
    -- the owner and superusers run the bulk paths (seed, restore, history import)
    SELECT NOT (r.rolsuper OR r.rolname = (SELECT tableowner FROM pg_tables
                                           WHERE schemaname = 'public' AND tablename = 'lesson'))
    FROM pg_roles r WHERE r.rolname = current_user
$$;
"""

OLD_MARK_RULE = """
CREATE OR REPLACE FUNCTION ejournal_mark_day_rule() RETURNS trigger LANGUAGE plpgsql AS $$
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

OLD_AUDIT_CHAIN = """
CREATE OR REPLACE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last record;
BEGIN
    -- one writer at a time extends the chain; the lock is held until commit
    PERFORM pg_advisory_xact_lock(hashtext('ejournal.audit_event'));
    SELECT chain_seq, hash INTO last FROM audit_event ORDER BY chain_seq DESC NULLS LAST LIMIT 1;
    NEW.occurred_at := coalesce(NEW.occurred_at, now());
    NEW.chain_seq := coalesce(last.chain_seq, 0) + 1;
    NEW.prev_hash := coalesce(last.hash, repeat('0', 64));
    NEW.hash := audit_event_digest(NEW.prev_hash, NEW.chain_seq, NEW);
    RETURN NEW;
END $$;
"""


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS lesson_server_stamps ON lesson")
    op.execute("DROP TRIGGER IF EXISTS mark_correction_audited ON mark")
    op.execute("DROP FUNCTION IF EXISTS ejournal_lesson_server_stamps()")
    op.execute("DROP FUNCTION IF EXISTS ejournal_correction_audited()")
    op.execute("DROP FUNCTION IF EXISTS ejournal_restrict_roles()")
    # CREATE OR REPLACE without a SET clause drops the function's settings too.
    for body in (OLD_RULES_APPLY, OLD_MARK_RULE, OLD_AUDIT_CHAIN):
        op.execute(body)
    for fn in EARLIER_FUNCTIONS:
        op.execute(f"ALTER FUNCTION {fn} RESET search_path")
    # PostgreSQL's default; CREATE on schema public stays revoked (the default since PostgreSQL 15).
    op.execute(
        "DO $$ BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', current_database()); END $$"
    )
    # the ETL role's column grants go; ejournal_grant_roles() gives back the broad SELECT of 0007
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ejournal_etl') THEN "
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ejournal_etl; END IF; END $$"
    )
    op.execute("SELECT ejournal_grant_roles()")
