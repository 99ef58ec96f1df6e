"""Joins the КТП versions (0010) and the database hardening (0011), written in parallel.

Nothing to change: 0010 alone rewrites ejournal_grant_roles() (the app role's КТП grants), and
0011 keeps its narrowing in ejournal_restrict_roles(), which app.migrate.apply_settings runs after
the grants on every upgrade and restore, so either order of the two branches ends the same.

Revision ID: 0012
Revises: 0010, 0011
"""

from collections.abc import Sequence

revision: str = "0012"
down_revision: tuple[str, ...] = ("0010", "0011")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
