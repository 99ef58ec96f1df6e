"""E-mail notices to guardians and students (issue 16): the queue, each person's choice, a
curator's announcements, and a student's own address.

`notice.dedupe_key` is unique: producing the same digest or alert again queues nothing, so a
producer that runs twice (two servers, a restart) sends nothing twice. The ETL role reads none of
these tables (0011 grants it only what etl/sources.py reads).

Revision ID: 0025
Revises: 0024
"""

import secrets
from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE student ADD COLUMN email varchar NOT NULL DEFAULT ''")
    op.execute(
        """
        CREATE TABLE notice (
            id bigserial PRIMARY KEY,
            college_id integer NOT NULL REFERENCES college (id),
            kind varchar NOT NULL,
            dedupe_key varchar NOT NULL UNIQUE,
            recipient_kind varchar NOT NULL,
            recipient_id integer NOT NULL,
            student_id integer REFERENCES student (id),
            to_address varchar NOT NULL,
            subject varchar NOT NULL,
            body_text text NOT NULL,
            body_html text NOT NULL,
            attachment bytea,
            attachment_name varchar NOT NULL DEFAULT '',
            status varchar NOT NULL DEFAULT 'queued',
            attempts integer NOT NULL DEFAULT 0,
            next_attempt_at timestamptz NOT NULL DEFAULT now(),
            last_error text NOT NULL DEFAULT '',
            created_at timestamptz NOT NULL DEFAULT now(),
            sent_at timestamptz,
            created_by_user_id integer REFERENCES user_account (id),
            CONSTRAINT notice_kind_known CHECK (kind IN ('digest', 'absence', 'low_mark', 'systematic',
                'debt', 'announcement', 'letter')),
            CONSTRAINT notice_status_known CHECK (status IN ('queued', 'sent', 'dead')),
            CONSTRAINT notice_recipient_known CHECK (recipient_kind IN ('guardian', 'student'))
        )
        """
    )
    op.execute("CREATE INDEX ix_notice_due ON notice (next_attempt_at) WHERE status = 'queued'")
    op.execute("CREATE INDEX ix_notice_recipient ON notice (recipient_kind, recipient_id)")
    op.execute(
        """
        CREATE TABLE notice_preference (
            recipient_kind varchar NOT NULL,
            recipient_id integer NOT NULL,
            college_id integer NOT NULL REFERENCES college (id),
            digest boolean NOT NULL,
            alerts boolean NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (recipient_kind, recipient_id),
            CONSTRAINT notice_preference_recipient_known CHECK (recipient_kind IN ('guardian', 'student'))
        )
        """
    )
    op.execute(
        """
        CREATE TABLE announcement (
            id serial PRIMARY KEY,
            college_id integer NOT NULL REFERENCES college (id),
            study_group_id integer NOT NULL REFERENCES study_group (id),
            author_user_id integer NOT NULL REFERENCES user_account (id),
            title varchar NOT NULL,
            body text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX ix_announcement_group ON announcement (study_group_id, created_at)")
    # the key the unsubscribe links are signed with (app.notify.recipients)
    op.execute(f"INSERT INTO app_secret VALUES ('notice_unsubscribe_key', '{secrets.token_hex(32)}')")


def downgrade() -> None:
    op.execute("DELETE FROM app_secret WHERE name = 'notice_unsubscribe_key'")
    op.execute("DROP TABLE announcement")
    op.execute("DROP TABLE notice_preference")
    op.execute("DROP TABLE notice")
    op.execute("ALTER TABLE student DROP COLUMN email")
