"""User-typed text is shown as typed on every page that renders Markdown: no link, image or
autolinked address comes out of a reason, a name or a topic (penetration test, finding 4)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.domain import WorkKind
from app.models import Mark, Teacher, UserAccount
from app.services import corrections
from app.services.journal import LessonEntry, MarkInput, save_lesson
from tests.pages.conftest import live_markup, texts

HOSTILE = (
    "![x](https://evil.example/i.png) [войти](https://evil.example/login) www.evil.example a@evil.example"
)


def test_a_correction_reason_renders_inert_for_the_deputy(run_as, world):
    lid = world.lesson(0)
    with Session(world.engine) as s:
        save_lesson(
            world.actor("teacher"),
            lid,
            LessonEntry(work_kind=WorkKind.oral, marks=[MarkInput(world.student_ids[1], "3")]),
            session=s,
        )
        mark_id = s.exec(select(Mark.id).where(Mark.lesson_id == lid)).one()
        assert mark_id is not None
        corrections.request_correction(world.actor("teacher"), mark_id, "4", HOSTILE, session=s)
    at = run_as(world.users["deputy"], "pages/corrections.py")
    assert not at.exception, at.exception
    assert " ".join(HOSTILE.split()) in texts(at)  # shown, as typed
    assert live_markup(at) == []


def test_names_render_inert_in_the_sidebar_and_on_substitutions(run_as, world):
    with Session(world.engine) as s:
        for uid in (world.users["deputy"], world.users["teacher"]):
            user = s.get(UserAccount, uid)
            assert user is not None
            user.full_name = HOSTILE
            s.add(user)
        teacher = s.get(Teacher, world.teacher_id)
        assert teacher is not None
        teacher.last_name = HOSTILE
        s.add(teacher)
        s.commit()
    world.lesson(0)
    at = run_as(world.users["deputy"], "pages/substitutions.py")
    assert not at.exception, at.exception
    at.selectbox(key=f"substitutions_absent_{world.today}").select(world.teacher_id).run()
    assert not at.exception, at.exception
    assert live_markup(at) == []
    at = run_as(world.users["teacher"])  # the sidebar carries the user's own name on every page
    assert live_markup(at) == [] and "evil.example" in texts(at)
