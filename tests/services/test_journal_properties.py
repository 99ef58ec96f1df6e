"""Property tests of the journal's validators, and hostile text stored verbatim and harmless."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import Session, select

from app.calendar import program_semester
from app.domain import WorkKind
from app.errors import DomainError
from app.models import Lesson, Mark
from app.services.journal import LessonEntry, MarkInput, normalise_mark, save_lesson

HOSTILE = [
    "'; DROP TABLE mark; --",
    "Robert'); DELETE FROM lesson WHERE ('1'='1",
    "1 OR 1=1",
    "<script>alert('xss')</script>",
    '=HYPERLINK("http://evil")',
    "$$; TRUNCATE audit_event; $$",
    "\\x00\\n\\r\\t «кавычки» „ёлочки“ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_is_stored_verbatim_and_harmless(world, payload):
    lid = world.lesson(0)
    with Session(world.engine) as s:
        save_lesson(
            world.actor("teacher"),
            lid,
            LessonEntry(
                topic=payload,
                work_done=payload,
                work_kind=WorkKind.oral,
                homework=payload,
                marks=[MarkInput(world.student_ids[0], "5", comment=payload)],
            ),
            session=s,
        )
    with Session(world.engine) as s:
        lesson = s.get(Lesson, lid)
        mark = s.exec(select(Mark).where(Mark.lesson_id == lid)).one()
        tables = s.execute(
            text("SELECT count(*) FROM pg_tables WHERE tablename IN ('mark', 'lesson', 'audit_event')")
        )
        assert tables.scalar_one() == 3
    expected = payload.strip()
    assert lesson is not None and (lesson.topic, lesson.work_done, lesson.homework) == (expected,) * 3
    assert mark.comment == expected


@given(value=st.text(max_size=8), credit=st.booleans())
def test_only_the_scale_is_accepted(value, credit):
    allowed = {"5", "4", "3", "2"} | ({"зач", "незач"} if credit else set())
    if value.strip().lower() in allowed:
        assert normalise_mark(value, credit_allowed=credit) == value.strip().lower()
    else:
        with pytest.raises(DomainError, match="недопустима"):
            normalise_mark(value, credit_allowed=credit)


@given(admission=st.integers(2015, 2030), year=st.integers(2015, 2034), month=st.integers(1, 12))
def test_program_semester_is_consistent(admission, year, month):
    from datetime import date

    day = date(year, month, 15)
    semester = program_semester(admission, day)
    later = date(year + 1, month, 15)
    assert program_semester(admission, later) == semester + 2  # a year on, two semesters on
    assert (semester % 2 == 1) == (month >= 9 or month == 1)
