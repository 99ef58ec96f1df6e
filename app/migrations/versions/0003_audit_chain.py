"""Hash-chain the audit log: each entry carries the previous entry's hash and its own.

The chain is computed by a trigger under a transaction-scoped advisory lock, so every writer
(the app, a migration, psql) extends it in commit order, and `ejournal audit verify` can name the
first entry that was altered, deleted or inserted out of band.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE audit_event ADD COLUMN chain_seq bigint, ADD COLUMN prev_hash text, ADD COLUMN hash text"
    )
    op.execute(
        """
        CREATE FUNCTION audit_event_digest(prev text, seq bigint, e audit_event) RETURNS text
        LANGUAGE sql IMMUTABLE AS $$
            SELECT encode(sha256(convert_to(concat_ws(E'\\x1f',
                prev, seq::text,
                to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
                coalesce(e.college_id::text, ''), coalesce(e.actor_user_id::text, ''),
                e.action, e.entity, coalesce(e.entity_id::text, ''), e.outcome, e.message, e.details::text
            ), 'UTF8')), 'hex')
        $$;
        """
    )
    op.execute(
        """
        CREATE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
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
    )
    op.execute(
        "CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_chain()"
    )
    op.execute("CREATE UNIQUE INDEX uq_audit_event_chain_seq ON audit_event (chain_seq)")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_event_chain ON audit_event")
    op.execute("DROP FUNCTION IF EXISTS audit_event_chain()")
    op.execute("DROP FUNCTION IF EXISTS audit_event_digest(text, bigint, audit_event)")
    op.execute("DROP INDEX IF EXISTS uq_audit_event_chain_seq")
    op.execute("ALTER TABLE audit_event DROP COLUMN chain_seq, DROP COLUMN prev_hash, DROP COLUMN hash")
