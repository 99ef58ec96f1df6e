"""Finding 7: what a page does with personal data, and what it refuses, is in the audit log with
the browser's address, agent and login session (on 18bf9b7 none of these columns existed)."""

from __future__ import annotations

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from app.models import AuditEvent
from tests.conftest import ROOT
from tests.pages.conftest import login


def entries(world, action: str, sid: str) -> list[AuditEvent]:
    with Session(world.engine) as s:
        return list(
            s.exec(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.session_id == sid))
        )


def test_a_refused_page_is_audited_with_its_origin(world):
    page = AppTest.from_file(str(ROOT / "pages" / "corrections.py"), default_timeout=60)
    page.user = login(world.users["student"])
    page.run()
    assert "Эта страница вам недоступна." in [e.value for e in page.error]
    (refused,) = entries(world, "page.open", page.user["sid"])
    assert refused.outcome == "refused" and refused.actor_user_id == world.users["student"]
    assert (refused.source_address, refused.user_agent) == ("127.0.0.1", "AppTest")


def test_opening_a_group_list_is_audited_once_per_session(run_as, world):
    world.make_curator()
    curator = world.users["teacher"]
    at = run_as(curator, "pages/my_group.py")
    assert not at.exception, at.exception
    at.run()
    (view,) = entries(world, "group.view", at.user["sid"])
    assert view.entity_id == world.group_id and view.actor_user_id == curator
