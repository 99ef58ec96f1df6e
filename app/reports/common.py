"""What every PDF document shares: rendering a typst template, the data hash, dates and semesters.

Templates live in app/reports/templates/*.typ. Data reaches them only as JSON (typst's
`sys.inputs`), never spliced into markup, so a topic such as «#set $x$ *b*» prints literally.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import typst
from sqlmodel import Session

from app.calendar import Half
from app.db import get_engine
from app.domain import full_name
from app.settings import get_settings

TEMPLATES = Path(__file__).resolve().parent / "templates"
HASH_SHOWN = 16  # hex characters of the SHA-256 printed on every page

MONTHS_NOMINATIVE = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


class ReportError(Exception):
    """A document cannot be made (nothing to show, unknown group …); the message is Russian."""


@contextmanager
def db_session(session: Session | None) -> Iterator[Session]:
    """The caller's session, or a short one of our own."""
    if session is not None:
        yield session
        return
    with Session(get_engine()) as own:
        yield own


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def canonical_json(content: Any) -> str:
    """One byte-exact text per content: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(
        content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_default
    )


def data_hash(content: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of what a document shows."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def now_local() -> datetime:
    return datetime.now(get_settings().tz)


def fmt_datetime(moment: datetime) -> str:
    return f"{moment.astimezone(get_settings().tz):%d.%m.%Y %H:%M}"


def long_date(day: date) -> str:
    """«5 сентября 2026 г.»"""
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year} г."


def month_title(month_start: date) -> str:
    """«сентябрь 2026 г.»"""
    return f"{MONTHS_NOMINATIVE[month_start.month - 1]} {month_start.year} г."


def person(last: str, first: str, middle: str = "") -> str:
    return full_name(last, first, middle)


def fmt_number(value: float | None, digits: int = 1) -> str:
    """Russian decimal comma; a dash for no value."""
    if value is None:
        return "—"
    return f"{value:.{digits}f}".replace(".", ",")


@dataclass(frozen=True)
class Meta:
    """The page furniture of a document: what the header and footer say on every page."""

    title: str
    college: str
    header_left: str
    header_right: str
    generated_at: datetime
    content_hash: str

    def as_json(self) -> dict[str, str]:
        return {
            "title": self.title,
            "college": self.college,
            "header_left": self.header_left,
            "header_right": self.header_right,
            "generated": fmt_datetime(self.generated_at),
            "hash": self.content_hash[:HASH_SHOWN],
            "hash_full": self.content_hash,
        }


def render(template: str, meta: Meta, content: Mapping[str, Any], **extra: Any) -> bytes:
    """Compile templates/<template> into PDF bytes with `content` (and layout hints) as data."""
    payload = canonical_json({"meta": meta.as_json(), "content": content, **extra})
    pdf = typst.compile(
        str(TEMPLATES / template),
        root=str(TEMPLATES),
        sys_inputs={"data": payload},
        # Only typst's bundled fonts (Libertinus Serif, New Computer Modern, DejaVu Sans Mono, all
        # with Cyrillic): the same PDF on every machine, whatever fonts the host has.
        ignore_system_fonts=True,
        timestamp=int(meta.generated_at.timestamp()),
        # Untagged: the accessibility structure tree makes table-heavy PDFs ten times larger.
        pdf_tags=False,
    )
    assert isinstance(pdf, bytes)
    return pdf


# --------------------------------------------------------------------------- semesters
# A group's programme semester (lesson.semester, 1…10) is dated from its admission year: odd
# semesters are the autumn half of an academic year, even ones the spring half (as in
# app.calendar). A college-wide semester is therefore an academic year and a half.


@dataclass(frozen=True, order=True)
class SemesterKey(Half):
    """A college-wide semester as the reports name it: «2026-1», «1-е полугодие 2026/2027 …»."""

    @classmethod
    def parse(cls, text: str) -> SemesterKey:
        """«2026-1» → the autumn half of 2026/2027."""
        try:
            year_text, half_text = text.split("-")
            key = cls(int(year_text), int(half_text))
        except ValueError as exc:
            raise ReportError(
                f"Неверное обозначение семестра «{text}» (ожидается ГГГГ-1 или ГГГГ-2)."
            ) from exc
        if key.half not in (1, 2):
            raise ReportError(f"Неверное обозначение семестра «{text}» (ожидается ГГГГ-1 или ГГГГ-2).")
        return key

    def __str__(self) -> str:
        return f"{self.year}-{self.half}"

    @property
    def academic_year(self) -> str:
        return f"{self.year}/{self.year + 1}"

    @property
    def label(self) -> str:
        half = "1-е полугодие (осенний семестр)" if self.half == 1 else "2-е полугодие (весенний семестр)"
        return f"{half} {self.academic_year} учебного года"


def semester_title(admission_year: int, semester: int) -> str:
    """«3-й семестр, 2026/2027 учебный год»"""
    key = SemesterKey.of_group(admission_year, semester)
    return f"{semester}-й семестр, {key.academic_year} учебный год"
