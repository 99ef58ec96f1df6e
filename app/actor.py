"""The acting user as the services see it: who, which college, which roles."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.domain import Role
from app.errors import AccessDenied
from app.models import StudyGroup, Teacher, UserAccount, UserRole


@dataclass(frozen=True)
class Actor:
    user_id: int
    college_id: int
    login: str
    full_name: str
    roles: frozenset[Role]
    teacher_id: int | None = None

    def has(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    def require(self, *roles: Role, message: str | None = None) -> None:
        if not self.has(*roles):
            raise AccessDenied(message or "Недостаточно прав для этого действия.")


def load_actor(user_id: int, *, session: Session) -> Actor:
    """Read the user's roles afresh from the database (never trust what a page remembered)."""
    user = session.get(UserAccount, user_id)
    if user is None or not user.is_active:
        raise AccessDenied("Учётная запись отключена или не существует. Войдите снова.")
    roles = {Role(r) for r in session.exec(select(UserRole.role).where(UserRole.user_id == user_id))}
    teacher_id = session.exec(select(Teacher.id).where(Teacher.user_id == user_id)).first()
    if teacher_id is not None and curated_groups(teacher_id, session=session):
        roles.add(Role.curator)  # the group names its curator: the role follows (migration 0009)
    assert user.id is not None
    return Actor(user.id, user.college_id, user.login, user.full_name, frozenset(roles), teacher_id)


def curated_groups(teacher_id: int, *, session: Session) -> list[StudyGroup]:
    """The groups whose curator this teacher is, by name."""
    return list(
        session.exec(
            select(StudyGroup).where(StudyGroup.curator_teacher_id == teacher_id).order_by(StudyGroup.name)
        )
    )
