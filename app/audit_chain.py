"""The audit log's hash chain: sealing committed entries into it, and verifying it
(`ejournal audit seal`, `ejournal audit verify`).

Entries are written unsealed and sealed after commit, in the order of their ids, by the database
function audit_seal() (migration 0027), so no writer waits for another. The chain covers every
sealed entry; an entry is unprotected only until its seal, which `ejournal serve` does every
second. Verification names the first altered, deleted or inserted sealed entry, and fails when an
entry stays unsealed longer than EJOURNAL_AUDIT_SEAL_SECONDS.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from app.settings import get_settings

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head: str | None
    broken_at: int | None  # chain_seq of the first bad entry
    reason: str = ""
    unsealed: int = 0  # entries not yet sealed (younger than the limit when the chain is whole)
    stale_id: int | None = None  # id of an entry left unsealed longer than the limit

    @property
    def ok(self) -> bool:
        return self.broken_at is None and self.stale_id is None

    def summary(self) -> str:
        if self.broken_at is not None:
            return f"Цепочка журнала аудита нарушена на записи №{self.broken_at}: {self.reason}."
        if self.stale_id is not None:
            return (
                f"Запись журнала аудита id={self.stale_id} не включена в цепочку дольше "
                f"{get_settings().audit_seal_seconds} с: запечатывание остановлено ({self.reason})."
            )
        waiting = f"; ждут включения в цепочку: {self.unsealed}" if self.unsealed else ""
        return (
            f"Цепочка журнала аудита цела: записей {self.entries}, последний хеш {self.head or '—'}{waiting}."
        )


def seal(*, session: Session, batch: int = 10_000) -> int:
    """Seal the committed unsealed entries into the chain (one sealer at a time); their number."""
    sealed = int(session.execute(text("SELECT audit_seal(:batch)"), {"batch": batch}).scalar_one())
    session.commit()
    return sealed


def seal_all(*, session: Session) -> int:
    total = 0
    while sealed := seal(session=session):
        total += sealed
    return total


def verify_chain(*, session: Session) -> ChainReport:
    """Walk the sealed chain in order; the first entry whose link or content does not match breaks
    it. Then the unsealed entries: one older than the limit means the sealer has stopped."""
    rows = session.execute(
        text(
            """
            SELECT chain_seq, prev_hash, hash, audit_event_digest(prev_hash, chain_seq, a) AS recomputed
            FROM audit_event a WHERE chain_seq IS NOT NULL ORDER BY chain_seq
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
    waiting = session.execute(
        text(
            "SELECT count(*), min(id) FILTER (WHERE occurred_at < now() - make_interval(secs => :limit)) "
            "FROM audit_event WHERE chain_seq IS NULL"
        ),
        {"limit": get_settings().audit_seal_seconds},
    ).one()
    unsealed, stale = int(waiting[0]), waiting[1]
    if stale is not None:
        oldest = session.execute(
            text("SELECT to_char(occurred_at, 'DD.MM.YYYY HH24:MI:SS') FROM audit_event WHERE id = :id"),
            {"id": stale},
        ).scalar_one()
        return ChainReport(count, head, None, f"запись от {oldest}", unsealed, int(stale))
    return ChainReport(count, head, None, "", unsealed)
