"""Helpers for the PDF documents: text extraction, past marks and absences written as history."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlmodel import Session

from app.models import Attendance, Mark, SemesterMark

HASH_RE = re.compile(r"SHA-256\): ([0-9a-f]{16})")


def pages_text(pdf: bytes) -> list[str]:
    assert pdf.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pages_text(pdf))


def add_mark(
    world,
    lesson_id: int,
    student_id: int,
    value: str = "4",
    kind: str = "oral",
    *,
    corrects=None,
    reason=None,
) -> int:
    """A mark as history (triggers forbid only UPDATE/DELETE, so the owner may insert the past)."""
    with Session(world.engine) as s:
        mark = Mark(
            college_id=world.college_id,
            lesson_id=lesson_id,
            student_id=student_id,
            value=value,
            work_kind=kind,
            created_by_user_id=world.users["deputy" if corrects else "teacher"],
            corrects_mark_id=corrects,
            correction_reason=reason,
        )
        s.add(mark)
        s.commit()
        assert mark.id is not None
        return mark.id


def add_absence(world, lesson_id: int, student_id: int, status: str = "absent") -> None:
    with Session(world.engine) as s:
        s.add(
            Attendance(
                college_id=world.college_id,
                lesson_id=lesson_id,
                student_id=student_id,
                status=status,
                created_by_user_id=world.users["teacher"],
            )
        )
        s.commit()


def add_semester_mark(world, curriculum_item_id: int, student_id: int, value: str) -> None:
    with Session(world.engine) as s:
        s.add(
            SemesterMark(
                college_id=world.college_id,
                curriculum_item_id=curriculum_item_id,
                student_id=student_id,
                value=value,
                created_by_user_id=world.users["teacher"],
            )
        )
        s.commit()
