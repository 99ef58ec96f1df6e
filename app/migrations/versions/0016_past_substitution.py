"""A forgotten substitution: the deputy director may give a past lesson nobody filled to a
substitute (issue 12). Before, the lesson-day rule refused any change of a past lesson's
substitute, so such a lesson stayed unfillable.

For non-owner roles the rule now lets a past lesson's substitute be set when the lesson has none
yet and nothing of it is filled, and (a deferred constraint trigger, at commit) only with the
accepted `lesson.substitute` audit entry of an active deputy director of the lesson's college in
the same transaction — what app.services.substitutions.assign_substitute writes. Everything else
about past lessons is as in 0007: what is filled stays, empty fields may still be filled (late).

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_PATH = "pg_catalog, public, pg_temp"

_RULE = """
CREATE OR REPLACE FUNCTION ejournal_lesson_day_rule() RETURNS trigger LANGUAGE plpgsql
SET search_path = {search_path} AS $$
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
                {substitute_new}NEW.lesson_date, NEW.pair_number)
           IS DISTINCT FROM (OLD.college_id, OLD.study_group_id, OLD.subgroup, OLD.subject_id,
                OLD.teacher_id, {substitute_old}OLD.lesson_date, OLD.pair_number){past_substitute}
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
# Set once, on a lesson with nothing filled and no substitute: the deputy's forgotten assignment.
PAST_SUBSTITUTE = """
           OR (NEW.substitute_teacher_id IS DISTINCT FROM OLD.substitute_teacher_id
               AND (OLD.substitute_teacher_id IS NOT NULL OR NEW.substitute_teacher_id IS NULL
                    OR OLD.topic IS NOT NULL OR OLD.plan_topic_id IS NOT NULL OR OLD.work_done IS NOT NULL
                    OR OLD.work_kind IS NOT NULL OR OLD.homework IS NOT NULL
                    OR OLD.attendance_filled_at IS NOT NULL))"""

AUDITED = f"""
CREATE FUNCTION ejournal_past_substitute_audited() RETURNS trigger LANGUAGE plpgsql
SET search_path = {SEARCH_PATH} AS $$
BEGIN
    IF NOT ejournal_rules_apply() OR OLD.lesson_date >= ejournal_college_today(NEW.college_id) THEN
        RETURN NULL;
    END IF;
    -- occurred_at is this transaction's now() for every non-owner (audit_event_chain)
    IF NOT EXISTS (SELECT 1 FROM public.audit_event a
                   JOIN public.user_account u ON u.id = a.actor_user_id
                   JOIN public.user_role r ON r.user_id = u.id AND r.role = 'deputy'
                   WHERE a.occurred_at = now() AND a.action = 'lesson.substitute' AND a.outcome = 'accepted'
                     AND a.entity = 'lesson' AND a.entity_id = NEW.id
                     AND u.college_id = NEW.college_id AND u.is_active) THEN
        RAISE EXCEPTION 'Замену на прошедшее занятие % назначает заместитель директора с записью в журнале аудита.',
            to_char(OLD.lesson_date, 'DD.MM.YYYY');
    END IF;
    RETURN NULL;
END $$;
"""


def upgrade() -> None:
    op.execute(
        _RULE.format(
            search_path=SEARCH_PATH, substitute_new="", substitute_old="", past_substitute=PAST_SUBSTITUTE
        )
    )
    op.execute(AUDITED)
    op.execute(
        "CREATE CONSTRAINT TRIGGER lesson_past_substitute_audited AFTER UPDATE ON lesson "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "WHEN (OLD.substitute_teacher_id IS DISTINCT FROM NEW.substitute_teacher_id) "
        "EXECUTE FUNCTION ejournal_past_substitute_audited()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER lesson_past_substitute_audited ON lesson")
    op.execute("DROP FUNCTION ejournal_past_substitute_audited()")
    op.execute(
        _RULE.format(
            search_path=SEARCH_PATH,
            substitute_new="NEW.substitute_teacher_id, ",
            substitute_old="OLD.substitute_teacher_id, ",
            past_substitute="",
        )
    )
