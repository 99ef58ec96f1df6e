"""Server-side login sessions, and where every audit entry came from.

- login_session: one row per login. The browser holds only a random token in an HttpOnly cookie;
  the row keeps its SHA-256, so a copy of the database (a backup) does not log anybody in. The row
  is ended at logout, by a password change (the user's other sessions), by disabling the account,
  by the officer, and by the idle and absolute timeouts. Its id is what Streamlit binds a browser
  session to (app/web.py), never the token itself.
- audit_event gets source_address, user_agent and session_id. The chain digest covers them, and
  leaves the digest of an entry without them as it was, so entries written before still verify.
- app_secret holds the key of the keyed hash an unknown login is stored as: a password typed into
  the login field never reaches the audit log as typed.

Revision ID: 0013
Revises: 0012
"""

import secrets
from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_PATH = "pg_catalog, public, pg_temp"

_DIGEST = """
CREATE OR REPLACE FUNCTION audit_event_digest(prev text, seq bigint, e audit_event) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = {search_path} AS $$
    SELECT encode(sha256(convert_to(concat_ws(E'\\x1f',
        prev, seq::text,
        to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        coalesce(e.college_id::text, ''), coalesce(e.actor_user_id::text, ''),
        e.action, e.entity, coalesce(e.entity_id::text, ''), e.outcome, e.message, e.details::text{origin}
    ), 'UTF8')), 'hex')
$$;
"""
# NULL when the entry has no origin (concat_ws skips it): the digest of older entries is unchanged.
ORIGIN = """,
        CASE WHEN e.source_address IS NULL AND e.user_agent IS NULL AND e.session_id IS NULL THEN NULL
             ELSE concat_ws(E'\\x1e', coalesce(e.source_address, ''), coalesce(e.user_agent, ''),
                            coalesce(e.session_id, '')) END"""


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE login_session (
            id text PRIMARY KEY,
            token_hash text NOT NULL UNIQUE,
            user_id integer NOT NULL REFERENCES user_account (id),
            created_at timestamptz NOT NULL DEFAULT now(),
            last_seen_at timestamptz NOT NULL DEFAULT now(),
            ended_at timestamptz,
            end_reason text,
            source_address text,
            user_agent text,
            CONSTRAINT login_session_end_reason CHECK ((ended_at IS NULL) = (end_reason IS NULL))
        )
        """
    )
    op.execute("CREATE INDEX ix_login_session_open ON login_session (user_id) WHERE ended_at IS NULL")
    op.execute(
        "ALTER TABLE audit_event ADD COLUMN source_address text, ADD COLUMN user_agent text, "
        "ADD COLUMN session_id text"
    )
    # The per-source login throttle counts these (app.services.login_sessions).
    op.execute(
        "CREATE INDEX ix_audit_event_login_refused ON audit_event (source_address, occurred_at) "
        "WHERE action IN ('login', 'login.lockout', 'login.throttled') AND outcome = 'refused'"
    )
    op.execute(_DIGEST.format(search_path=SEARCH_PATH, origin=ORIGIN))
    op.execute("CREATE TABLE app_secret (name text PRIMARY KEY, value text NOT NULL)")
    op.execute(f"INSERT INTO app_secret VALUES ('audit_login_key', '{secrets.token_hex(32)}')")


def downgrade() -> None:
    op.execute("DROP TABLE app_secret")
    op.execute(_DIGEST.format(search_path=SEARCH_PATH, origin=""))
    op.execute("DROP INDEX ix_audit_event_login_refused")
    op.execute(
        "ALTER TABLE audit_event DROP COLUMN source_address, DROP COLUMN user_agent, DROP COLUMN session_id"
    )
    op.execute("DROP TABLE login_session")
