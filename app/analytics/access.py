"""Which groups an actor's analytics cover, for the pages and the API alike: decided on the
server from the journal database on every request (app.analytics.common.visible_groups)."""

from __future__ import annotations

from sqlmodel import Session

from app.actor import Actor
from app.analytics.common import visible_groups
from app.domain import Role

# «Успеваемость»: the views an actor may choose, in this order
PROGRESS_VIEWS = {
    "college": "Колледж",
    "curator": "Мои группы (куратор)",
    "teacher": "Мои дисциплины (преподаватель)",
}


def attendance_groups(actor: Actor, *, session: Session) -> tuple[int, ...] | None:
    """«Посещаемость»: the college for the deputy and the director, a curator's own groups."""
    as_role = None if actor.has(Role.deputy, Role.director) else Role.curator
    return visible_groups(actor, session=session, as_role=as_role)


def progress_views(actor: Actor) -> list[str]:
    views = []
    if actor.has(Role.deputy, Role.director):
        views.append("college")
    if actor.has(Role.curator):
        views.append("curator")
    if actor.has(Role.teacher) and actor.teacher_id is not None:
        views.append("teacher")
    return views


def progress_groups(
    actor: Actor, view: str, *, session: Session
) -> tuple[tuple[int, ...] | None, int | None]:
    """(the groups, the teacher the figures are narrowed to) of one of the actor's views; a view
    the actor does not have sees nothing."""
    if view not in progress_views(actor):
        return (), None
    if view == "college":
        return visible_groups(actor, session=session), None
    role = Role.curator if view == "curator" else Role.teacher
    return visible_groups(
        actor, session=session, as_role=role
    ), actor.teacher_id if view == "teacher" else None
