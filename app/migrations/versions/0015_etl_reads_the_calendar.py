"""The ETL reads the attestation calendar: each half's session (calendar_period) and whether the
deputy has closed it (attestation_close), for the academic-debt mart. Nothing else of either table.

ejournal_restrict_roles() (0011) holds the ETL role's column privileges; it is re-created with
0011's list plus these two tables, so the narrowing stays one function run after every upgrade
and restore.

Revision ID: 0015
Revises: 0014
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADDED: dict[str, tuple[str, ...]] = {
    "calendar_period": ("id", "college_id", "academic_year", "half", "kind", "starts_on", "ends_on"),
    "attestation_close": ("college_id", "academic_year", "half", "closed_at"),
}


def _hardening() -> ModuleType:
    """Migration 0011, whose function body and column list this one extends (not re-typed)."""
    spec = importlib.util.spec_from_file_location(
        "ejournal_0011", Path(__file__).with_name("0011_db_hardening.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _values(columns: dict[str, tuple[str, ...]]) -> str:
    rows = []
    for table, cols in columns.items():
        array = ", ".join(f"'{c}'" for c in cols)
        rows.append(f"('{table}', ARRAY[{array}])")
    return ",\n                    ".join(rows)


ETL_COLUMNS: dict[str, tuple[str, ...]] = {**_hardening().ETL_COLUMNS, **ADDED}


def upgrade() -> None:
    m = _hardening()
    body = m.RESTRICT_ROLES.replace(m._etl_values(), _values(ETL_COLUMNS))
    assert body != m.RESTRICT_ROLES
    op.execute(body)
    op.execute("SELECT ejournal_restrict_roles()")


def downgrade() -> None:
    op.execute(_hardening().RESTRICT_ROLES)
    op.execute("SELECT ejournal_restrict_roles()")
