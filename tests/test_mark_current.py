"""The mark as it stands now, once: the database's mark_current_of (migration 0023), seeded from a
lesson's or a student's marks, and the view mark_current over all of them (issue 15: the diary, the
journal and the corrections each walked the chain themselves, the view by id, the copies by depth)."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from app.models import Mark


def add(world, lesson_id: int, student_id: int, value: str, corrects: int | None = None) -> int:
    with Session(world.engine) as s:  # the owner: history, without the day rule's triggers
        mark = Mark(
            college_id=world.college_id, lesson_id=lesson_id, student_id=student_id, value=value,
            work_kind="oral", created_by_user_id=world.users["deputy" if corrects else "teacher"],
            corrects_mark_id=corrects, correction_reason="исправление ошибки" if corrects else None,
        )  # fmt: skip
        s.add(mark)
        s.commit()
        assert mark.id is not None
        return mark.id


def test_a_chain_of_corrections_gives_its_last_value_from_every_seed(world):
    a, b = world.student_ids[:2]
    lesson, other = world.lesson(1), world.lesson(2)
    first = add(world, lesson, a, "2")
    second = add(world, lesson, a, "3", corrects=first)
    last = add(world, lesson, a, "4", corrects=second)
    plain = add(world, lesson, b, "5")
    elsewhere = add(world, other, a, "5")
    columns = "original_id, current_id, original_value, value, corrected"
    with Session(world.engine) as s:
        by_lesson = s.execute(
            text(f"SELECT {columns} FROM mark_current_of(ARRAY[:l]) ORDER BY original_id"), {"l": lesson}
        ).all()
        by_student = s.execute(
            text(f"SELECT {columns} FROM mark_current_of(NULL, :s) ORDER BY original_id"), {"s": a}
        ).all()
        view = s.execute(
            text(f"SELECT {columns} FROM mark_current WHERE lesson_id = :l ORDER BY original_id"),
            {"l": lesson},
        ).all()
    assert [tuple(r) for r in by_lesson] == [(first, last, "2", "4", True), (plain, plain, "5", "5", False)]
    assert [tuple(r) for r in view] == [tuple(r) for r in by_lesson]
    assert [tuple(r) for r in by_student] == [
        (first, last, "2", "4", True),
        (elsewhere, elsewhere, "5", "5", False),
    ]
