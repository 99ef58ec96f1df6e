"""The «Справка» text: every role has a guide, every duty cites the regulation."""

from __future__ import annotations

import re

from app.actor import Actor
from app.domain import Role
from app.ui import help_text

CLAUSE = re.compile(r"^\d+(\.\d+)*$")


def test_every_role_has_help_text():
    assert set(help_text.HELP) == set(Role)
    for role in Role:
        sections = help_text.HELP[role]
        assert sections, role
        for section in sections:
            assert section.title and section.duties, (role, section)
            for duty in section.duties:
                assert duty.text.strip()
                parts = [p.strip() for p in duty.clause.split(";")]
                assert all(CLAUSE.match(p) for p in parts), (role, duty.clause)


def test_teachers_guide_names_the_weekly_remarks_and_the_day_rule():
    text = " ".join(d.text for s in help_text.HELP[Role.teacher] for d in s.duties)
    clauses = {d.clause for s in help_text.HELP[Role.teacher] for d in s.duties}
    assert "в день занятия" in text and "Мои замечания" in text and "задним числом" in text
    assert any("4.2.1" in c for c in clauses) and any("4.3" in c for c in clauses)


def test_cite_and_order():
    assert help_text.cite(help_text.Duty("x", "4.2.1; 3.2.4")) == "§4.2.1, §3.2.4"
    actor = Actor(1, 1, "t", "Т", frozenset({Role.curator, Role.teacher}), 5)
    order = help_text.ordered_roles(actor)
    assert order[:2] == [Role.teacher, Role.curator] and sorted(order) == sorted(Role)


def test_the_hint_is_gone_once_help_was_opened_in_the_session():
    actor = Actor(1, 1, "t", "Т", frozenset({Role.teacher}), 5)
    # decided before any database read
    assert help_text.show_hint(actor, {help_text.HELP_OPENED: True}, session=None) is False  # type: ignore[arg-type]
