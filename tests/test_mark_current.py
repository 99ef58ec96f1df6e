"""The mark as it stands now, once: the database's mark_current_of (migration 0023), seeded from a
lesson's or a student's marks, and the view mark_current over all of them (issue 15: the diary, the
journal and the corrections each walked the chain themselves, the view by id, the copies by depth)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.models import CurriculumItem, Mark, SemesterMark, YearMark
from app.services.marks import sheet_chains, sheet_current


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


def add_sheet(world, model, item_id: int, student_id: int, value: str, corrects: int | None = None) -> int:
    with Session(world.engine) as s:  # the owner: history, without the session window's triggers
        row = model(
            college_id=world.college_id, curriculum_item_id=item_id, student_id=student_id, value=value,
            created_by_user_id=world.users["deputy" if corrects else "teacher"], corrects_id=corrects,
            correction_reason="пересдача" if corrects else None,
        )  # fmt: skip
        s.add(row)
        s.commit()
        return row.id


def items_of(world) -> list[int]:
    with Session(world.engine) as s:
        rows = s.exec(select(CurriculumItem.id).where(CurriculumItem.study_group_id == world.group_id))
        return sorted(i for i in rows if i is not None)


@pytest.mark.parametrize("model", [SemesterMark, YearMark])
def test_a_sheet_mark_ends_at_its_last_retake_or_correction(world, model):
    """The sheets' marks (0024): the chain from the original to the current value, from an item or
    a student; the attestation sheet, the grid, the journal and the diary all read this."""
    a, b = world.student_ids[:2]
    item, other = items_of(world)[:2]
    first = add_sheet(world, model, item, a, "2")
    retake = add_sheet(world, model, item, a, "3", corrects=first)
    last = add_sheet(world, model, item, a, "4", corrects=retake)
    plain = add_sheet(world, model, item, b, "5")
    add_sheet(world, model, other, a, "зач" if model is SemesterMark else "5")
    with Session(world.engine) as s:
        by_item = sheet_chains(s, model, items=[item])
        by_student = sheet_chains(s, model, items=[item, other], student=a)
        current = sheet_current(s, model, item)
    assert {k: [m.id for m in v] for k, v in by_item.items()} == {
        (item, a): [first, retake, last],
        (item, b): [plain],
    }
    assert {k: [m.value for m in v] for k, v in by_student.items()} == {
        (item, a): ["2", "3", "4"],
        (other, a): ["зач" if model is SemesterMark else "5"],
    }
    assert {sid: (o.id, c.id) for sid, (o, c) in current.items()} == {a: (first, last), b: (plain, plain)}
