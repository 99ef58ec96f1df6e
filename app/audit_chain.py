"""Verify the audit log's hash chain (`ejournal audit verify`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head: str | None
    broken_at: int | None  # chain_seq of the first bad entry
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None

    def summary(self) -> str:
        if self.ok:
            return f"Цепочка журнала аудита цела: записей {self.entries}, последний хеш {self.head or '—'}."
        return f"Цепочка журнала аудита нарушена на записи №{self.broken_at}: {self.reason}."


def verify_chain(*, session: Session) -> ChainReport:
    """Walk the chain in order; the first entry whose link or content does not match breaks it."""
    rows = session.execute(
        text(
            """
            SELECT chain_seq, prev_hash, hash, audit_event_digest(prev_hash, chain_seq, a) AS recomputed
            FROM audit_event a ORDER BY chain_seq
            """
        )
    )
    expected_prev, expected_seq, count, head = GENESIS, 1, 0, None
    for seq, prev_hash, stored, recomputed in rows:
        count += 1
        if seq != expected_seq:
            return ChainReport(count, head, expected_seq, f"запись №{expected_seq} отсутствует (удалена)")
        if prev_hash != expected_prev:
            return ChainReport(
                count, head, seq, "ссылка на предыдущую запись не совпадает (вставка или удаление)"
            )
        if stored != recomputed:
            return ChainReport(count, head, seq, "содержимое записи изменено")
        expected_prev, expected_seq, head = stored, seq + 1, stored
    return ChainReport(count, head, None)
