"""«Уведомления»: a student or guardian sees their address, chooses their letters and sees those sent."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.models import NoticePreference
from tests.pages.conftest import menu, texts

PAGE = "pages/notices.py"


def test_a_guardian_chooses_their_letters(run_as, world):
    with Session(world.engine) as s:
        s.execute(
            text("UPDATE guardian SET email = 'abramova@example.ru' WHERE user_id = :u"),
            {"u": world.users["guardian"]},
        )
        s.commit()
    assert "Уведомления" in menu(run_as(world.users["guardian"]))
    at = run_as(world.users["guardian"], PAGE)
    assert not at.exception
    assert "abramova@example.ru" in texts(at)
    assert "Писем пока не было." in texts(at)
    digest = next(c for c in at.checkbox if c.label.startswith("Итоги недели"))
    assert digest.value is True
    digest.uncheck()
    next(b for b in at.button if b.label == "Сохранить").click().run()
    assert "Выбор сохранён." in [s.value for s in at.success]
    with Session(world.engine) as s:
        guardian_id = s.execute(
            text("SELECT id FROM guardian WHERE user_id = :u"), {"u": world.users["guardian"]}
        ).scalar_one()
        pref = s.get(NoticePreference, ("guardian", guardian_id))
        assert pref is not None and (pref.digest, pref.alerts) == (False, True)


def test_a_student_without_an_address_is_told_how_to_get_one(run_as, world):
    at = run_as(world.users["student"], PAGE)
    assert not at.exception
    assert "сообщите адрес куратору группы" in texts(at)


@pytest.mark.parametrize("who", ["teacher", "deputy", "officer", "director"])
def test_staff_have_no_notices_page(run_as, world, who):
    assert "Уведомления" not in menu(run_as(world.users[who]))
