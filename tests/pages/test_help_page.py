"""«Справка»: every role finds its own guide first; the hint on «Главная» points newcomers to it."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.domain import ROLE_LABELS, Role
from app.services.accounts import authenticate
from app.ui import help_text
from tests.factories import PASSWORD
from tests.pages.conftest import menu, texts

HELP = "pages/help.py"
HOME = "pages/home.py"
HINT = "Впервые в электронном журнале?"


def expanders(at) -> list[tuple[str, bool]]:
    return [(e.label, e.proto.expanded) for e in at.expander]


@pytest.mark.parametrize(
    "who, own",
    [
        ("teacher", [Role.teacher]),
        ("curator", [Role.teacher, Role.curator]),
        ("officer", [Role.officer]),
        ("deputy", [Role.deputy]),
        ("director", [Role.director]),
        ("student", [Role.student]),
        ("guardian", [Role.guardian]),
    ],
)
def test_each_role_sees_its_guide_first(run_as, world, who, own):
    if who == "curator":
        world.make_curator("teacher")
        who = "teacher"
    at = run_as(world.users[who])
    assert menu(at)[-4:] == ["Справка", "Смена пароля", "Доступ для приложений", "Выход"]  # «Учётная запись»
    at.switch_page(HELP).run()
    assert not at.exception, at.exception
    shown = expanders(at)
    assert [label for label, _ in shown[: len(own)]] == [ROLE_LABELS[r] for r in own]
    assert all(expanded for _, expanded in shown[: len(own)])  # own roles open
    assert not any(expanded for _, expanded in shown[len(own) :])  # the others collapsed
    assert sorted(label for label, _ in shown) == sorted(ROLE_LABELS.values())  # every role's guide is there
    page = texts(at)
    assert "§4.2.5" in page  # the guide says where training happens
    first_duty = help_text.HELP[own[0]][0].duties[0]
    assert first_duty.text in page and help_text.cite(first_duty) in page


def test_student_guide_explains_the_diary_symbols(run_as, world):
    at = run_as(world.users["student"], HELP)
    page = texts(at)
    for symbol in ("«н»", "«ув»", "«оп»", "«зач»"):
        assert symbol in page


def log_in(world, who: str, times: int) -> None:
    """Accepted logins, as the login page records them in the audit log."""
    for _ in range(times):
        with Session(world.engine) as s:
            authenticate(world.logins[who], PASSWORD, session=s)


def test_the_hint_appears_after_login_and_goes_once_help_is_opened(run_as, world):
    log_in(world, "student", 1)
    at = run_as(world.users["student"])  # «Главная» after the first login
    assert not at.exception, at.exception
    assert any(HINT in i.value for i in at.info)
    assert "Справка" in [link.label for link in at.get("page_link")]
    at.switch_page(HELP).run()
    assert at.session_state[help_text.HELP_OPENED] is True
    at.switch_page(HOME).run()
    assert not any(HINT in i.value for i in at.info)
    assert "Справка" not in [link.label for link in at.get("page_link")]


def test_the_hint_stops_after_the_first_logins(run_as, world):
    log_in(world, "officer", help_text.HINT_LOGINS)
    assert any(HINT in i.value for i in run_as(world.users["officer"]).info)
    log_in(world, "officer", 1)
    assert not any(HINT in i.value for i in run_as(world.users["officer"]).info)


def test_a_session_without_a_recorded_login_gets_no_hint(run_as, world):
    at = run_as(world.users["teacher"])
    assert not any(HINT in i.value for i in at.info)
