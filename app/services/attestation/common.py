"""A sheet's data (its kind, rows, summary), its curriculum item, who may read or fill it, whether its
half is closed, and its marks as chains."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlmodel import Session, col, select

from app.actor import Actor
from app.calendar import Half
from app.domain import ATTESTATION_LABELS, AttestationForm, Role
from app.errors import AccessDenied, DomainError, NotFound
from app.models import (
    AttestationClose,
    AttestationCommission,
    CurriculumItem,
    SemesterMark,
    StudyGroup,
    Subject,
    Teacher,
    YearMark,
)
from app.services.marks import sheet_chains

MAX_TEXT = 300


class SheetKind(StrEnum):
    semester = "semester"  # the attestation sheet of the item's semester (and ГИА's)
    year = "year"  # the year marks


SheetModel = type[SemesterMark] | type[YearMark]
MODELS: dict[SheetKind, SheetModel] = {SheetKind.semester: SemesterMark, SheetKind.year: YearMark}


@dataclass(frozen=True)
class SheetRow:
    student_id: int
    student_name: str
    value: str | None  # the current mark: the last of the chain
    history: tuple[str, ...]  # every value in order, the first the sheet's («2 → 4»)
    taken_on: date | None
    is_debt: bool


@dataclass(frozen=True)
class Sheet:
    item_id: int
    group_name: str
    subject_name: str
    semester: int
    half: Half
    form: AttestationForm
    teacher_id: int | None
    teacher_name: str
    window: tuple[date, date]
    closed: bool
    rows: tuple[SheetRow, ...]
    allowed: tuple[str, ...]
    kind: SheetKind = SheetKind.semester
    commission: tuple[tuple[int, str], ...] = ()  # the members the deputy named: teacher id, ФИО

    @property
    def key(self) -> tuple[int, SheetKind]:
        return self.item_id, self.kind

    @property
    def form_label(self) -> str:
        return "Годовая отметка" if self.kind is SheetKind.year else ATTESTATION_LABELS[self.form]

    @property
    def filled(self) -> int:
        return sum(1 for r in self.rows if r.value is not None)

    @property
    def title(self) -> str:
        if self.kind is SheetKind.year:
            return (
                f"{self.group_name} · {self.subject_name} · {self.half.year}/{self.half.year + 1} учебный год"
            )
        return f"{self.group_name} · {self.subject_name} · {self.semester}-й семестр"

    def may_enter(self, actor: Actor) -> bool:
        """Whether the actor fills this sheet (the service checks it again on saving)."""
        return actor.has(Role.deputy) or (
            actor.teacher_id is not None
            and (actor.teacher_id == self.teacher_id or actor.teacher_id in {t for t, _ in self.commission})
        )


@dataclass(frozen=True)
class SheetSummary:
    item_id: int
    title: str
    group_name: str
    form_label: str
    filled: int
    students: int
    debts: int
    kind: SheetKind = SheetKind.semester

    @property
    def key(self) -> tuple[int, SheetKind]:
        return self.item_id, self.kind


def _item(
    session: Session, actor: Actor, item_id: int, kind: SheetKind = SheetKind.semester
) -> tuple[CurriculumItem, StudyGroup, Subject]:
    item = session.get(CurriculumItem, item_id)
    if item is None or item.college_id != actor.college_id:
        raise NotFound("Ведомость не найдена.")
    group = session.get(StudyGroup, item.study_group_id)
    subject = session.get(Subject, item.subject_id)
    assert group is not None and subject is not None
    if kind is SheetKind.year:
        if not item.year_mark:
            raise DomainError(
                f"По дисциплине «{subject.name}» учебный план не предусматривает годовой отметки "
                f"в {item.semester}-м семестре."
            )
    elif AttestationForm(item.attestation_form) is AttestationForm.other:
        raise DomainError(
            f"По дисциплине «{subject.name}» в {item.semester}-м семестре промежуточной аттестации нет "
            "(другие формы контроля)."
        )
    return item, group, subject


def _members(session: Session, item_id: int) -> list[Teacher]:
    return list(
        session.exec(
            select(Teacher)
            .join(AttestationCommission, col(AttestationCommission.teacher_id) == Teacher.id)
            .where(AttestationCommission.curriculum_item_id == item_id)
            .order_by(Teacher.last_name, Teacher.first_name)
        )
    )


def _is_member(session: Session, actor: Actor, item: CurriculumItem) -> bool:
    return actor.teacher_id is not None and (
        session.get(AttestationCommission, (item.id, actor.teacher_id)) is not None
    )


def _may_read(session: Session, actor: Actor, item: CurriculumItem, group: StudyGroup) -> None:
    if actor.has(Role.deputy, Role.director):
        return
    if actor.teacher_id is not None and actor.teacher_id in (item.teacher_id, group.curator_teacher_id):
        return
    if _is_member(session, actor, item):
        return
    raise AccessDenied("Эту ведомость видят преподаватель дисциплины, куратор группы и администрация.")


def _may_enter(session: Session, actor: Actor, item: CurriculumItem) -> None:
    if actor.has(Role.deputy):
        return
    if actor.teacher_id is not None and actor.teacher_id == item.teacher_id:
        return
    if _is_member(session, actor, item):
        return
    raise AccessDenied(
        "Ведомость заполняет преподаватель дисциплины, член назначенной комиссии или заместитель директора."
    )


def _closed(session: Session, college_id: int, half: Half) -> bool:
    return session.get(AttestationClose, (college_id, half.year, half.half)) is not None


def _chains(
    session: Session, item_id: int, kind: SheetKind = SheetKind.semester
) -> dict[int, list[SemesterMark | YearMark]]:
    """Each student's marks on the sheet, the original first and each replacement after it."""
    model = YearMark if kind is SheetKind.year else SemesterMark
    return {sid: list(chain) for (_, sid), chain in sheet_chains(session, model, items=[item_id]).items()}
