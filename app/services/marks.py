"""The mark as it stands now, read from its one home in the database: `mark_current_of` for lesson
marks (migration 0023), `semester_mark_chain_of` and `year_mark_chain_of` for the sheets' marks
(0024). Every screen and paper that shows a current value asks here, so two of them cannot disagree
on which correction or retake counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, col, select

from app.models import Mark, SemesterMark, YearMark


@dataclass
class MarkChain:
    original: Mark
    current: Mark


def mark_chains(session: Session, marks: list[Mark]) -> list[MarkChain]:
    """Each original mark among `marks` with the latest correction of it (or itself), over the
    lessons of these marks."""
    by_id = {m.id: m for m in marks}
    lessons = sorted({m.lesson_id for m in marks})
    if not lessons:
        return []
    heads = session.execute(
        text("SELECT original_id, current_id FROM mark_current_of(CAST(:lessons AS integer[]))"),
        {"lessons": lessons},
    )
    chains = [MarkChain(by_id[o], by_id[c]) for o, c in heads if o in by_id and c in by_id]
    return sorted(chains, key=lambda c: c.original.id or 0)


SheetMark = SemesterMark | YearMark  # the same columns and chains (0014, 0020)

_CHAIN_OF = {SemesterMark: "semester_mark_chain_of", YearMark: "year_mark_chain_of"}


def chain_function(model: type[SemesterMark] | type[YearMark]) -> str:
    """The database function that walks `model`'s chains, for a query that joins it (a name of ours,
    never input)."""
    return _CHAIN_OF[model]


def sheet_chains(
    session: Session, model: type[SheetMark], *, items: list[int], student: int | None = None
) -> dict[tuple[int, int], tuple[SheetMark, ...]]:
    """(curriculum item, student) → the marks the student held on that sheet, the original first and
    the current one last (a retake or the deputy's correction replaces the one before it)."""
    if not items:
        return {}
    function = chain_function(model)
    heads = list(
        session.execute(
            text(
                f"SELECT curriculum_item_id, student_id, chain "
                f"FROM {function}(CAST(:items AS integer[]), CAST(:student AS integer)) ORDER BY original_id"
            ),
            {"items": sorted(set(items)), "student": student},
        )
    )
    ids = [i for _, _, chain in heads for i in chain]
    rows: dict[int | None, SheetMark] = {}
    if ids:
        found: list[SheetMark] = list(session.exec(select(model).where(col(model.id).in_(ids))))  # type: ignore[arg-type]
        rows = {r.id: r for r in found}
    return {(item, sid): tuple(rows[i] for i in chain) for item, sid, chain in heads}


def sheet_current(
    session: Session, model: type[SheetMark], item: int
) -> dict[int, tuple[SheetMark, SheetMark]]:
    """One sheet: student → (original, current) mark."""
    return {
        sid: (chain[0], chain[-1]) for (_, sid), chain in sheet_chains(session, model, items=[item]).items()
    }
