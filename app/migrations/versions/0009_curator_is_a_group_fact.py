"""A curator is the teacher a group names as its curator: that is the one fact.

Until now the curator role was also a user_role row, which an import or a hand edit could leave
out of step with study_group.curator_teacher_id (an imported group's curator got no role; a
curator of no group kept one). The role is now derived from the group (app.actor.load_actor):
the stored rows go, and user_role no longer accepts 'curator'.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STORED = ("teacher", "officer", "deputy", "director", "student", "guardian")


def upgrade() -> None:
    op.execute("DELETE FROM user_role WHERE role = 'curator'")
    op.execute("ALTER TABLE user_role DROP CONSTRAINT role_known")
    allowed = ", ".join(f"'{r}'" for r in STORED)
    op.execute(f"ALTER TABLE user_role ADD CONSTRAINT role_known CHECK (role IN ({allowed}))")


def downgrade() -> None:
    op.execute("ALTER TABLE user_role DROP CONSTRAINT role_known")
    allowed = ", ".join(f"'{r}'" for r in (*STORED, "curator"))
    op.execute(f"ALTER TABLE user_role ADD CONSTRAINT role_known CHECK (role IN ({allowed}))")
    op.execute(
        "INSERT INTO user_role (user_id, role) SELECT DISTINCT t.user_id, 'curator' FROM study_group g "
        "JOIN teacher t ON t.id = g.curator_teacher_id WHERE t.user_id IS NOT NULL"
    )
