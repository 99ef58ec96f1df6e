"""Промежуточная аттестация: the attestation sheet (ведомость) of a curriculum item, its retakes,
and the deputy director closing a half; by the same pattern the year marks (годовая) and the state
final attestation (ГИА).

The same rules as the journal: marks are rows that are never changed (a retake or a correction is
a new row pointing at the one it replaces), every save is one transaction, every acceptance and
refusal is audited, the clock is the database server's.

- The sheet is filled by the item's teacher or the deputy director, during the half's attestation
  session (app.calendar.session_window) or after it until the half is closed; never before.
- A student gets one mark on the sheet; what a sheet takes depends on its form
  (app.domain.attestation_marks): 5…2 or «зач»/«незач», and «н/а», «не допущен».
- A retake (пересдача) replaces a debt (app.domain.DEBT_MARKS) with a new row: its date, the
  commission that took it and a reason; by the teacher or the deputy, in the next half too (debts
  are cleared after the session).
- The deputy closes a half: its sheets take no more first marks; retakes still clear its debts,
  until the deadline the deputy sets when closing it.
- A year sheet (SheetKind.year) lists the year marks of an item the curriculum marks for one
  (curriculum_item.year_mark: the subject's item of the year's last semester). Filled the same
  way, in the same half; a year mark is not retaken (the semester's debts are).
- ГИА is a curriculum item of the last semester with the form «gia»: its sheet is the state
  examination commission's, filled by its secretary (the item's teacher) or the deputy.
- The deputy may name an exam commission for a sheet (a квалификационный экзамен, ГИА): its
  members read and fill the sheet as its teacher does.

The parts: `common` (a sheet's data, its item, who may read or fill it, its marks as chains),
`reading` (a sheet, the sheets of a half), `saving` (first marks, retakes), `deputy` (closing a
half, naming a commission).
"""

from __future__ import annotations

from app.services.attestation.common import (
    MAX_TEXT,
    MODELS,
    Sheet,
    SheetKind,
    SheetModel,
    SheetRow,
    SheetSummary,
)
from app.services.attestation.deputy import close_half, college_teachers, name_commission
from app.services.attestation.reading import sheet, sheets
from app.services.attestation.saving import enter, retake

__all__ = [
    "MAX_TEXT",
    "MODELS",
    "Sheet",
    "SheetKind",
    "SheetModel",
    "SheetRow",
    "SheetSummary",
    "close_half",
    "college_teachers",
    "enter",
    "name_commission",
    "retake",
    "sheet",
    "sheets",
]
