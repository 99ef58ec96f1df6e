"""Versions of the КТП: the teacher drafts, the deputy director approves; lessons use the approved one.

- ktp_version: one version of a curriculum item's КТП (number 1, 2, 3 … per item), its state
  (draft, approved, rejected, superseded, withdrawn), where it came from, who made it and when,
  and the decision (who, when, comment). At most one approved and one draft per item (partial
  unique indexes).
- plan_topic rows are the topics of one version (ktp_version_id, NOT NULL), with a section (раздел)
  and a kind of lesson (вид занятия); a position is unique within its version, and a composite key
  ties the topic's curriculum item to its version's.
- Existing topics become an approved version 1 of their curriculum item: lessons keep pointing at
  them, the warehouse measures against them.
- The app role may INSERT and SELECT both tables; of ktp_version it may UPDATE only the state and
  the decision; a topic is never updated or deleted (ejournal_grant_roles). For the app role a
  trigger also holds the state machine (draft → approved | rejected | withdrawn, approved →
  superseded) and lets topics be added only to a version made in the same transaction. The owner's
  bulk paths (the demo seed) that insert topics without a version get the item's approved one.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "'approved', 'draft', 'rejected', 'superseded', 'withdrawn'"
SOURCES = "'editor', 'file', 'import', 'transfer'"
LESSON_KINDS = (
    "'attestation', 'combined', 'consultation', 'control', 'independent', 'laboratory', 'lecture', "
    "'practical', 'seminar'"
)

# ejournal_grant_roles as 0007 defined it, and with the КТП's tables added.
GRANTS_0007 = """
        CREATE OR REPLACE FUNCTION ejournal_grant_roles() RETURNS void LANGUAGE plpgsql AS $$
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
                GRANT UPDATE (name, short_name, city) ON college TO ejournal_app;{app_extra}
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
KTP_GRANTS = """
                -- a КТП version and its topics are history: only the state and the decision change
                REVOKE UPDATE, DELETE, TRUNCATE ON plan_topic, ktp_version FROM ejournal_app;
                GRANT UPDATE (status, decided_by_user_id, decided_at, decision_comment) ON ktp_version
                    TO ejournal_app;"""


def upgrade() -> None:
    op.execute(
        f"""
        CREATE TABLE ktp_version (
            id serial PRIMARY KEY,
            college_id integer NOT NULL REFERENCES college (id),
            curriculum_item_id integer NOT NULL REFERENCES curriculum_item (id),
            number integer NOT NULL,
            status varchar NOT NULL DEFAULT 'draft',
            source varchar NOT NULL DEFAULT 'editor',
            note text NOT NULL DEFAULT '',
            created_by_user_id integer REFERENCES user_account (id),
            created_at timestamptz NOT NULL DEFAULT now(),
            decided_by_user_id integer REFERENCES user_account (id),
            decided_at timestamptz,
            decision_comment text NOT NULL DEFAULT '',
            CONSTRAINT uq_ktp_version_number UNIQUE (curriculum_item_id, number),
            CONSTRAINT uq_ktp_version_id_item UNIQUE (id, curriculum_item_id),
            CONSTRAINT ktp_version_status_known CHECK (status IN ({STATUSES})),
            CONSTRAINT ktp_version_source_known CHECK (source IN ({SOURCES})),
            CONSTRAINT ktp_version_decided_unless_draft CHECK ((status = 'draft') = (decided_at IS NULL)),
            CONSTRAINT ktp_version_number_positive CHECK (number >= 1)
        )
        """
    )
    op.execute("CREATE INDEX ix_ktp_version_college_id ON ktp_version (college_id)")
    op.execute("CREATE INDEX ix_ktp_version_curriculum_item_id ON ktp_version (curriculum_item_id)")
    op.execute(
        "CREATE UNIQUE INDEX uq_ktp_version_approved ON ktp_version (curriculum_item_id) "
        "WHERE status = 'approved'"
    )
    op.execute(
        "CREATE UNIQUE INDEX uq_ktp_version_draft ON ktp_version (curriculum_item_id) WHERE status = 'draft'"
    )

    op.execute("ALTER TABLE plan_topic ADD COLUMN ktp_version_id integer")
    op.execute("ALTER TABLE plan_topic ADD COLUMN section varchar")
    op.execute(
        "ALTER TABLE plan_topic ADD COLUMN lesson_kind varchar CONSTRAINT plan_topic_lesson_kind_known "
        f"CHECK (lesson_kind IS NULL OR lesson_kind IN ({LESSON_KINDS}))"
    )
    # Today's КТП is the approved version 1 of its curriculum item.
    op.execute(
        """
        INSERT INTO ktp_version (college_id, curriculum_item_id, number, status, source, decided_at,
                                 decision_comment)
        SELECT c.college_id, c.id, 1, 'approved', 'transfer', now(),
               'КТП, внесённый до появления версий, утверждён при обновлении системы.'
        FROM curriculum_item c
        WHERE EXISTS (SELECT 1 FROM plan_topic p WHERE p.curriculum_item_id = c.id)
        ORDER BY c.id
        """
    )
    op.execute(
        "UPDATE plan_topic p SET ktp_version_id = v.id FROM ktp_version v "
        "WHERE v.curriculum_item_id = p.curriculum_item_id"
    )
    op.execute("ALTER TABLE plan_topic ALTER COLUMN ktp_version_id SET NOT NULL")
    op.execute("ALTER TABLE plan_topic DROP CONSTRAINT IF EXISTS plan_topic_curriculum_item_id_position_key")
    op.execute(
        "ALTER TABLE plan_topic ADD CONSTRAINT uq_plan_topic_version_position UNIQUE (ktp_version_id, position)"
    )
    op.execute(
        "ALTER TABLE plan_topic ADD CONSTRAINT plan_topic_ktp_version_fkey FOREIGN KEY "
        "(ktp_version_id, curriculum_item_id) REFERENCES ktp_version (id, curriculum_item_id)"
    )
    op.execute("CREATE INDEX ix_plan_topic_ktp_version_id ON plan_topic (ktp_version_id)")

    op.execute(
        """
        CREATE FUNCTION ejournal_plan_topic_version() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            v record;
        BEGIN
            IF NEW.ktp_version_id IS NULL THEN
                IF ejournal_rules_apply() THEN
                    RAISE EXCEPTION 'Тема КТП записывается в версию КТП: сохраните КТП на странице «КТП».';
                END IF;
                -- the owner's bulk load (the demo seed): the item's approved КТП, version 1 if none
                SELECT id INTO v FROM ktp_version
                WHERE curriculum_item_id = NEW.curriculum_item_id AND status = 'approved';
                IF NOT FOUND THEN
                    INSERT INTO ktp_version (college_id, curriculum_item_id, number, status, source, decided_at)
                    SELECT c.college_id, c.id,
                           coalesce((SELECT max(number) FROM ktp_version WHERE curriculum_item_id = c.id), 0) + 1,
                           'approved', 'transfer', now()
                    FROM curriculum_item c WHERE c.id = NEW.curriculum_item_id
                    RETURNING id INTO v;
                END IF;
                NEW.ktp_version_id := v.id;
                RETURN NEW;
            END IF;
            IF ejournal_rules_apply() THEN
                SELECT number, created_at INTO v FROM ktp_version WHERE id = NEW.ktp_version_id;
                -- a version is written once, with its topics, in the transaction that made it
                IF FOUND AND v.created_at <> now() THEN
                    RAISE EXCEPTION 'Версия % КТП уже сохранена: её темы не изменяются, сохраните новую версию.',
                        v.number;
                END IF;
            END IF;
            RETURN NEW;
        END $$;
        """
    )
    op.execute(
        "CREATE TRIGGER plan_topic_version BEFORE INSERT ON plan_topic "
        "FOR EACH ROW EXECUTE FUNCTION ejournal_plan_topic_version()"
    )
    op.execute(
        """
        CREATE FUNCTION ejournal_ktp_version_decision() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT ejournal_rules_apply() OR NEW.status = OLD.status THEN RETURN NEW; END IF;
            IF (OLD.status = 'draft' AND NEW.status IN ('approved', 'rejected', 'withdrawn'))
               OR (OLD.status = 'approved' AND NEW.status = 'superseded') THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'Версия % КТП уже рассмотрена: решение по ней не изменяется.', OLD.number;
        END $$;
        """
    )
    op.execute(
        "CREATE TRIGGER ktp_version_decision BEFORE UPDATE ON ktp_version "
        "FOR EACH ROW EXECUTE FUNCTION ejournal_ktp_version_decision()"
    )
    op.execute(GRANTS_0007.format(app_extra=KTP_GRANTS))
    op.execute("SELECT ejournal_grant_roles()")


def downgrade() -> None:
    op.execute(GRANTS_0007.format(app_extra=""))
    op.execute("DROP TRIGGER IF EXISTS ktp_version_decision ON ktp_version")
    op.execute("DROP TRIGGER IF EXISTS plan_topic_version ON plan_topic")
    op.execute("DROP FUNCTION IF EXISTS ejournal_ktp_version_decision()")
    op.execute("DROP FUNCTION IF EXISTS ejournal_plan_topic_version()")
    # One КТП per item again: the approved version's topics. Lessons that recorded a topic of
    # another version keep the approved topic at the same position (or none); the rest goes.
    op.execute(
        """
        UPDATE lesson l SET plan_topic_id = (
            SELECT a.id FROM plan_topic a JOIN ktp_version av ON av.id = a.ktp_version_id
            WHERE av.curriculum_item_id = o.curriculum_item_id AND av.status = 'approved'
              AND a.position = o.position)
        FROM plan_topic o JOIN ktp_version ov ON ov.id = o.ktp_version_id
        WHERE l.plan_topic_id = o.id AND ov.status <> 'approved'
        """
    )
    op.execute(
        "DELETE FROM plan_topic p USING ktp_version v WHERE v.id = p.ktp_version_id AND v.status <> 'approved'"
    )
    op.execute("ALTER TABLE plan_topic DROP CONSTRAINT plan_topic_ktp_version_fkey")
    op.execute("ALTER TABLE plan_topic DROP CONSTRAINT uq_plan_topic_version_position")
    op.execute("DROP INDEX IF EXISTS ix_plan_topic_ktp_version_id")
    op.execute(
        "ALTER TABLE plan_topic DROP COLUMN ktp_version_id, DROP COLUMN section, DROP COLUMN lesson_kind"
    )
    op.execute(
        "ALTER TABLE plan_topic ADD CONSTRAINT plan_topic_curriculum_item_id_position_key "
        "UNIQUE (curriculum_item_id, position)"
    )
    op.execute("DROP TABLE ktp_version")
