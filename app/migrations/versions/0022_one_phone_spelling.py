"""Guardians' phones and e-mail addresses in the one spelling app.validation stores (issue 15).

On 18bf9b7 the curator's form stored «+7 912 345-67-89» and the import «+79123456789», so one column
held two formats. Russian numbers become «+7 XXX XXX-XX-XX» (from +7…, 8… or ten digits);
another country's «+» and its digits; addresses are trimmed and lower-cased. What matches no rule
stays as it is (it was accepted once; the curator corrects it on the form). Not reversible: the
old spelling carried nothing the new one lacks.

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        r"""
        WITH typed AS (
            SELECT id, btrim(phone) AS raw, regexp_replace(phone, '\D', '', 'g') AS digits
            FROM guardian WHERE phone <> '' AND phone ~ '^[0-9 +().\-]+$'
        ), ten AS (
            SELECT id,
                   CASE
                       WHEN length(digits) = 11 AND raw LIKE '+%' AND left(digits, 1) = '7' THEN substr(digits, 2)
                       WHEN length(digits) = 11 AND raw NOT LIKE '+%' AND left(digits, 1) IN ('7', '8')
                           THEN substr(digits, 2)
                       WHEN length(digits) = 10 AND raw NOT LIKE '+%' THEN digits
                   END AS russian,
                   CASE WHEN raw LIKE '+%' AND length(digits) BETWEEN 11 AND 15 AND left(digits, 1) <> '7'
                        THEN '+' || digits END AS foreign_number
            FROM typed
        )
        UPDATE guardian g
        SET phone = coalesce(
            '+7 ' || substr(t.russian, 1, 3) || ' ' || substr(t.russian, 4, 3) || '-' || substr(t.russian, 7, 2)
                || '-' || substr(t.russian, 9, 2),
            t.foreign_number)
        FROM ten t
        WHERE g.id = t.id AND coalesce(t.russian, t.foreign_number) IS NOT NULL
        """
    )
    op.execute("UPDATE guardian SET email = lower(btrim(email)) WHERE email <> lower(btrim(email))")


def downgrade() -> None:
    pass  # the one spelling stays: the old two carried nothing more
