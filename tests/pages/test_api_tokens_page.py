"""«Доступ для приложений»: a token made, shown once with the calendar address, listed, revoked."""

from __future__ import annotations

from sqlmodel import Session

from app.services import api_tokens
from tests.pages.conftest import texts

PAGE = "pages/api_tokens.py"


def test_a_guardian_makes_a_token_sees_it_once_and_revokes_it(run_as, world):
    at = run_as(world.users["guardian"], PAGE)
    assert not at.exception
    assert "Токенов нет." in texts(at)
    next(b for b in at.button if b.label == "Создать токен").click().run()
    assert "Назовите токен" in " ".join(e.value for e in at.error)
    next(t for t in at.text_input if t.label == "Название").input("Календарь")
    next(b for b in at.button if b.label == "Создать токен").click().run()
    codes = [c.value for c in at.code]
    token = next(c for c in codes if c.startswith("ejt_"))
    assert any(c.endswith(f"/students/{world.student_ids[0]}/calendar.ics?token={token}") for c in codes)
    with Session(world.engine) as s:
        assert api_tokens.resolve(token, session=s).user_id == world.users["guardian"]
    at.run()  # the next run: the token is not shown again
    assert not any(c.value.startswith("ejt_") for c in at.code)
    assert "Календарь" in texts(at)
    next(b for b in at.button if b.label == "Отозвать").click().run()
    assert "Токен «Календарь» отозван." in [s.value for s in at.success]
    assert "Токенов нет." in texts(at)
