"""Who may open which group × subject: the options offered, and the check every call makes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from app.actor import Actor
from app.domain import COLLEGE_READERS, Role
from app.errors import AccessDenied
from app.services.journal_grid.common import (
    REFUSED_GROUP,
    REFUSED_ROLE,
    REFUSED_SUBJECT,
    ROLES,
    GroupOption,
    SubjectOption,
)

_TEACHER_PAIRS_SQL = """
    SELECT l.study_group_id, l.subject_id FROM lesson l
    WHERE l.college_id = :college AND l.teacher_id = :teacher
    UNION
    SELECT l.study_group_id, l.subject_id FROM lesson l
    WHERE l.college_id = :college AND l.substitute_teacher_id = :teacher
    UNION
    SELECT ci.study_group_id, ci.subject_id FROM curriculum_item ci
    WHERE ci.college_id = :college AND ci.teacher_id = :teacher
"""


def _require_role(actor: Actor) -> None:
    if not actor.has(*ROLES):
        raise AccessDenied(REFUSED_ROLE)


def _teacher_pairs(session: Session, actor: Actor) -> set[tuple[int, int]]:
    """(group, subject) pairs the actor teaches: lessons conducted or substituted, curriculum items."""
    if not actor.has(Role.teacher) or actor.teacher_id is None:
        return set()
    rows = session.execute(
        text(_TEACHER_PAIRS_SQL), {"college": actor.college_id, "teacher": actor.teacher_id}
    )
    return {(r[0], r[1]) for r in rows}


def _whole_group(actor: Actor, group: Any) -> bool:
    """May the actor open every subject of this group (staff, or its curator)?"""
    if actor.has(*COLLEGE_READERS):
        return True
    return (
        actor.has(Role.curator)
        and actor.teacher_id is not None
        and group["curator_teacher_id"] == actor.teacher_id
    )


def _group(session: Session, actor: Actor, group_id: int) -> Any:
    row = (
        session.execute(
            text(
                "SELECT id, college_id, name, admission_year, curator_teacher_id FROM study_group WHERE id = :id"
            ),
            {"id": group_id},
        )
        .mappings()
        .first()
    )
    if row is None or row["college_id"] != actor.college_id:
        raise AccessDenied(REFUSED_GROUP)
    return row


def groups_for(actor: Actor, *, session: Session) -> list[GroupOption]:
    """The groups whose journal the actor may open, by name (empty for a teacher who teaches nothing)."""
    _require_role(actor)
    if actor.has(*COLLEGE_READERS):
        rows = session.execute(
            text("SELECT id, name FROM study_group WHERE college_id = :college ORDER BY name, id"),
            {"college": actor.college_id},
        )
        return [GroupOption(r[0], r[1]) for r in rows]
    ids = {g for g, _ in _teacher_pairs(session, actor)}
    if actor.has(Role.curator) and actor.teacher_id is not None:
        ids.update(
            session.execute(
                text(
                    "SELECT id FROM study_group WHERE college_id = :college AND curator_teacher_id = :teacher"
                ),
                {"college": actor.college_id, "teacher": actor.teacher_id},
            ).scalars()
        )
    if not ids:
        return []
    rows = session.execute(
        text("SELECT id, name FROM study_group WHERE id = ANY(:ids) ORDER BY name, id"), {"ids": sorted(ids)}
    )
    return [GroupOption(r[0], r[1]) for r in rows]


def subjects_for(actor: Actor, group_id: int, *, session: Session) -> list[SubjectOption]:
    """The group's subjects whose journal the actor may open: those of its curriculum and its lessons."""
    _require_role(actor)
    group = _group(session, actor, group_id)
    rows = session.execute(
        text(
            """
            SELECT s.id, s.code, s.name FROM subject s
            WHERE s.college_id = :college AND s.id IN (
                SELECT subject_id FROM curriculum_item WHERE study_group_id = :grp
                UNION
                SELECT subject_id FROM lesson WHERE study_group_id = :grp
            )
            ORDER BY s.name, s.code, s.id
            """
        ),
        {"college": actor.college_id, "grp": group_id},
    )
    options = [SubjectOption(r[0], r[1], r[2]) for r in rows]
    if _whole_group(actor, group):
        return options
    own = {s for g, s in _teacher_pairs(session, actor) if g == group_id}
    if not own:
        raise AccessDenied(REFUSED_GROUP)  # neither taught nor curated: nothing of it to show
    return [o for o in options if o.id in own]


def _check(session: Session, actor: Actor, group_id: int, subject_id: int) -> tuple[Any, Any]:
    _require_role(actor)
    group = _group(session, actor, group_id)
    subject = (
        session.execute(
            text("SELECT id, college_id, code, name FROM subject WHERE id = :id"), {"id": subject_id}
        )
        .mappings()
        .first()
    )
    if subject is None or subject["college_id"] != actor.college_id:
        raise AccessDenied(REFUSED_SUBJECT)
    if not _whole_group(actor, group) and (group_id, subject_id) not in _teacher_pairs(session, actor):
        raise AccessDenied(REFUSED_SUBJECT)
    return group, subject
