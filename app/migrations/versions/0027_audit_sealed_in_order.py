"""The audit chain is sealed after commit, not extended inside every writer's transaction (issue 14).

Until now the insert trigger took one advisory lock for the whole database and held it to commit,
so every journal save waited for every other one, including its commit's flush to disk: fifty
teachers saving at once were no faster than one. Now an entry is written unsealed (chain_seq,
prev_hash and hash NULL) and `audit_seal()` links the committed entries into the chain in the order
of their ids, one sealer at a time, within a second or two (`ejournal serve`'s loop, `ejournal
audit seal`, every backup). `ejournal audit verify` walks the sealed chain as before, naming the
first altered, deleted or inserted entry, and also fails when an entry has stayed unsealed longer
than EJOURNAL_AUDIT_SEAL_SECONDS: a stopped sealer is found, not silently tolerated.

An entry is unprotected only between its commit and its seal; the append-only trigger allows one
change of an entry, its sealing (chain columns from NULL to set, nothing else touched), and only the
owner may UPDATE at all (the app role has no privilege). audit_seal() is SECURITY DEFINER and anyone
may call it: all it can do is link what has committed, in order, a little sooner.

Revision ID: 0027
Revises: 0026
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_PATH = "pg_catalog, public, pg_temp"
MESSAGE = "Журнал аудита не изменяется и не удаляется."

CHAIN = f"""
CREATE OR REPLACE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql
SET search_path = {SEARCH_PATH} AS $$
BEGIN
    -- the server's time for everyone but the owner (restores and imports carry their history)
    NEW.occurred_at := CASE WHEN ejournal_rules_apply() THEN now() ELSE coalesce(NEW.occurred_at, now()) END;
    -- sealed after commit by audit_seal(): a writer never waits for another writer here
    NEW.chain_seq := NULL;
    NEW.prev_hash := NULL;
    NEW.hash := NULL;
    RETURN NEW;
END $$;
"""

SEAL_ONLY = f"""
CREATE FUNCTION audit_event_seal_only() RETURNS trigger LANGUAGE plpgsql
SET search_path = {SEARCH_PATH} AS $$
BEGIN
    -- the one change an entry ever takes: its seal, once, with its content as it was
    IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND OLD.hash IS NULL
       AND NEW.chain_seq IS NOT NULL AND NEW.hash IS NOT NULL
       AND (pg_catalog.to_jsonb(NEW) - 'chain_seq' - 'prev_hash' - 'hash')
           = (pg_catalog.to_jsonb(OLD) - 'chain_seq' - 'prev_hash' - 'hash') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING
        ERRCODE = 'P0001',
        MESSAGE = '{MESSAGE}',
        HINT = format('%s on %s is refused by a trigger', TG_OP, TG_TABLE_NAME);
END $$;
"""

SEAL = f"""
CREATE FUNCTION audit_seal(batch integer DEFAULT 10000) RETURNS integer LANGUAGE plpgsql
SECURITY DEFINER SET search_path = {SEARCH_PATH} AS $$
DECLARE
    e public.audit_event;
    seq bigint;
    prev text;
    sealed integer := 0;
BEGIN
    -- one sealer at a time; writers never take this lock
    PERFORM pg_advisory_xact_lock(hashtext('ejournal.audit_event'));
    SELECT a.chain_seq, a.hash INTO seq, prev
    FROM public.audit_event a WHERE a.chain_seq IS NOT NULL ORDER BY a.chain_seq DESC LIMIT 1;
    seq := coalesce(seq, 0);
    prev := coalesce(prev, repeat('0', 64));
    -- what has committed by now; a transaction still open is sealed by the next call
    FOR e IN
        SELECT * FROM public.audit_event a WHERE a.chain_seq IS NULL ORDER BY a.id LIMIT batch FOR UPDATE
    LOOP
        seq := seq + 1;
        e.prev_hash := prev;
        prev := public.audit_event_digest(e.prev_hash, seq, e);
        UPDATE public.audit_event SET chain_seq = seq, prev_hash = e.prev_hash, hash = prev WHERE id = e.id;
        sealed := sealed + 1;
    END LOOP;
    -- every change a user makes is audited: this wakes the warehouse's loader (etl/watch.py)
    IF sealed > 0 THEN
        PERFORM pg_notify('ejournal_sealed', sealed::text);
    END IF;
    RETURN sealed;
END $$;
"""

OLD_CHAIN = f"""
CREATE OR REPLACE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql
SET search_path = {SEARCH_PATH} AS $$
DECLARE
    last record;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('ejournal.audit_event'));
    SELECT chain_seq, hash INTO last FROM public.audit_event ORDER BY chain_seq DESC NULLS LAST LIMIT 1;
    NEW.occurred_at := CASE WHEN ejournal_rules_apply() THEN now() ELSE coalesce(NEW.occurred_at, now()) END;
    NEW.chain_seq := coalesce(last.chain_seq, 0) + 1;
    NEW.prev_hash := coalesce(last.hash, repeat('0', 64));
    NEW.hash := audit_event_digest(NEW.prev_hash, NEW.chain_seq, NEW);
    RETURN NEW;
END $$;
"""


def upgrade() -> None:
    op.execute(CHAIN)
    op.execute(SEAL_ONLY)
    op.execute(SEAL)
    op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
    op.execute(
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_seal_only()"
    )
    # the sealer's work list: small, since entries are sealed within seconds
    op.execute("CREATE INDEX ix_audit_event_unsealed ON audit_event (id) WHERE chain_seq IS NULL")


def downgrade() -> None:
    op.execute("SELECT audit_seal(2147483647)")  # the old trigger extends the chain from its head
    op.execute("DROP INDEX ix_audit_event_unsealed")
    op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
    quoted = MESSAGE.replace("'", "''")
    op.execute(
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        f"FOR EACH ROW EXECUTE FUNCTION ejournal_refuse_change('{quoted}')"
    )
    op.execute("DROP FUNCTION audit_seal(integer)")
    op.execute("DROP FUNCTION audit_event_seal_only()")
    op.execute(OLD_CHAIN)
