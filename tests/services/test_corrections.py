"""Mark correction requests: the teacher asks, the deputy director decides; the original mark stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.domain import WorkKind
from app.errors import AccessDenied, DomainError, NotFound
from app.models import AuditEvent, CorrectionRequest, Mark
from app.services import corrections
from app.services.journal import LessonEntry, MarkInput, correct_mark, lesson_sheet, save_lesson
from app.settings import Settings
from app.ui.journal import existing_marks
from etl.load import run_etl
from etl.warehouse import WarehouseReader
from tests.etl.helpers import filled_on
from tests.factories import make_world

REASON = "ошибся строкой: 4 стояла у соседа"


def give_mark(
    world, value: str = "3", *, who: str = "teacher", subject_id: int | None = None, **lesson
) -> int:
    """A lesson today with one mark for the first student; returns the mark's id."""
    lid = world.lesson(0, subject_id=subject_id, **lesson)
    kind = WorkKind.credit if subject_id == world.credit_subject_id else WorkKind.oral
    with Session(world.engine) as s:
        save_lesson(
            world.actor(who),
            lid,
            LessonEntry(work_kind=kind, marks=[MarkInput(world.student_ids[0], value)]),
            session=s,
        )
        mark = s.exec(select(Mark).where(Mark.lesson_id == lid)).one()
        assert mark.id is not None
        return mark.id


def ask(world, mark_id: int, value: str = "4", reason: str = REASON, who: str = "teacher") -> int:
    with Session(world.engine) as s:
        return corrections.request_correction(world.actor(who), mark_id, value, reason, session=s)


def request_row(world, request_id: int) -> CorrectionRequest:
    with Session(world.engine) as s:
        row = s.get(CorrectionRequest, request_id)
        assert row is not None
        return row


def marks_of_lesson(world, mark_id: int) -> list[tuple[str, int | None, str | None]]:
    with Session(world.engine) as s:
        lesson_id = s.exec(select(Mark.lesson_id).where(Mark.id == mark_id)).one()
        rows = s.exec(select(Mark).where(Mark.lesson_id == lesson_id).order_by(Mark.id))  # type: ignore[arg-type]
        return [(m.value, m.corrects_mark_id, m.correction_reason) for m in rows]


def audits(world, *actions: str) -> list[AuditEvent]:
    with Session(world.engine) as s:
        return list(
            s.exec(
                select(AuditEvent)
                .where(AuditEvent.college_id == world.college_id, AuditEvent.action.in_(actions))  # type: ignore[attr-defined]
                .order_by(AuditEvent.id)  # type: ignore[arg-type]
            )
        )


# --------------------------------------------------------------------------- the whole way


def test_request_then_approval_records_the_correction_beside_the_original(world):
    mark_id = give_mark(world, "3")
    request_id = ask(world, mark_id, "4")
    pending = request_row(world, request_id)
    assert (pending.status, pending.new_value, pending.requested_by_user_id) == (
        "pending",
        "4",
        world.users["teacher"],
    )
    with Session(world.engine) as s:
        listed = corrections.list_pending(world.actor("deputy"), session=s)
        mine = corrections.my_requests(world.actor("teacher"), session=s)
    assert [(r.id, r.old_value, r.new_value, r.student_name, r.requested_by) for r in listed] == [
        (request_id, "3", "4", "Абрамов Илья Сергеевич", "Соколова Елена Викторовна")
    ]
    assert [r.status for r in mine] == ["pending"]

    with Session(world.engine) as s:
        new_id = corrections.approve(world.actor("deputy"), request_id, "по служебной записке", session=s)
    done = request_row(world, request_id)
    assert done.status == "approved" and done.correction_mark_id == new_id
    assert done.decided_by_user_id == world.users["deputy"] and done.decided_at is not None
    assert done.decision_comment == "по служебной записке"
    # the original stays; the correction points at it and carries the teacher's reason
    assert marks_of_lesson(world, mark_id) == [("3", None, None), ("4", mark_id, REASON)]
    with Session(world.engine) as s:
        sheet = lesson_sheet(world.actor("teacher"), _lesson_of(s, mark_id), session=s)
        assert corrections.list_pending(world.actor("deputy"), session=s) == []
    assert existing_marks(sheet.students[0].marks) == (
        f"4 (исправлено: было 3, причина: {REASON}) — Устный опрос"
    )
    trail = [
        (a.action, a.outcome)
        for a in audits(world, "correction.request", "correction.approve", "mark.correct")
    ]
    assert trail == [
        ("correction.request", "accepted"),
        ("mark.correct", "accepted"),
        ("correction.approve", "accepted"),
    ]
    approve_row = audits(world, "correction.approve")[-1]
    assert approve_row.details["new_mark_id"] == new_id and approve_row.actor_user_id == world.users["deputy"]


def _lesson_of(s: Session, mark_id: int) -> int:
    return s.exec(select(Mark.lesson_id).where(Mark.id == mark_id)).one()


def test_rejection_needs_a_comment_and_leaves_the_mark(world):
    mark_id = give_mark(world, "3")
    request_id = ask(world, mark_id, "5")
    with Session(world.engine) as s, pytest.raises(DomainError, match="причину отклонения"):
        corrections.reject(world.actor("deputy"), request_id, "  ", session=s)
    assert request_row(world, request_id).status == "pending"
    with Session(world.engine) as s:
        corrections.reject(world.actor("deputy"), request_id, "Отметка верна по ведомости", session=s)
    row = request_row(world, request_id)
    assert row.status == "rejected" and row.decision_comment == "Отметка верна по ведомости"
    assert row.correction_mark_id is None
    assert marks_of_lesson(world, mark_id) == [("3", None, None)]
    assert [(a.action, a.outcome) for a in audits(world, "correction.reject")] == [
        ("correction.reject", "refused"),
        ("correction.reject", "accepted"),
    ]
    # decided once: neither approved nor rejected again; a new request may be filed
    for decide in (corrections.approve, corrections.reject):
        with Session(world.engine) as s, pytest.raises(DomainError, match="уже рассмотрена"):
            decide(world.actor("deputy"), request_id, "ещё раз подумать", session=s)
    assert ask(world, mark_id, "4") != request_id


def test_a_corrected_mark_is_requested_again_on_its_current_row(world):
    mark_id = give_mark(world, "3")
    with Session(world.engine) as s:
        corrections.approve(world.actor("deputy"), ask(world, mark_id, "4"), session=s)
    with pytest.raises(DomainError, match="уже исправлена"):
        ask(world, mark_id, "5")
    with Session(world.engine) as s:
        current = corrections.correctable_marks(world.actor("teacher"), _lesson_of(s, mark_id), session=s)
    assert [(m.value, m.original_value, m.corrected) for m in current] == [("4", "3", True)]
    with Session(world.engine) as s:
        corrections.approve(world.actor("deputy"), ask(world, current[0].mark_id, "5"), session=s)
    assert [v for v, _, _ in marks_of_lesson(world, mark_id)] == ["3", "4", "5"]


# --------------------------------------------------------------------------- the teacher's side refused


def test_only_the_teacher_who_gave_the_mark_or_conducted_the_lesson(world):
    mark_id = give_mark(world, "3")
    for who in ("other_teacher", "deputy", "student", "guardian"):
        with pytest.raises(AccessDenied):
            ask(world, mark_id, who=who)
    refused = audits(world, "correction.request")
    assert [a.outcome for a in refused] == ["refused"] * 4
    assert refused[0].actor_user_id == world.users["other_teacher"]
    # a substitute who conducted the lesson may ask; the absent teacher may not
    substituted = give_mark(world, "2", who="other_teacher", substitute_teacher_id=world.other_teacher_id)
    with pytest.raises(AccessDenied):
        ask(world, substituted, who="teacher")
    assert ask(world, substituted, "3", who="other_teacher") > 0


@pytest.mark.parametrize("value", ["6", "1", "отл", "н/а", "", "зач"])
def test_the_new_value_follows_the_subjects_rules(world, value):
    mark_id = give_mark(world, "3")
    with pytest.raises(DomainError, match="недопустима"):
        ask(world, mark_id, value)


def test_credit_marks_for_a_credit_subject(world):
    mark_id = give_mark(world, "незач", subject_id=world.credit_subject_id)
    request_id = ask(world, mark_id, "ЗАЧ")
    assert request_row(world, request_id).new_value == "зач"


def test_the_same_value_is_not_a_correction(world):
    mark_id = give_mark(world, "3")
    with pytest.raises(DomainError, match="совпадает"):
        ask(world, mark_id, "3")


@pytest.mark.parametrize("reason", ["", "ошибка", "   коротко   "])
def test_a_written_reason_of_ten_characters(world, reason):
    mark_id = give_mark(world, "3")
    with pytest.raises(DomainError, match="не короче 10"):
        ask(world, mark_id, "4", reason)


def test_one_pending_request_per_mark(world):
    mark_id = give_mark(world, "3")
    first = ask(world, mark_id, "4")
    with pytest.raises(DomainError, match=f"заявка №{first} на рассмотрении"):
        ask(world, mark_id, "5")


def test_the_database_holds_one_pending_request_per_mark(world):
    mark_id = give_mark(world, "3")
    ask(world, mark_id, "4")
    from sqlalchemy.exc import IntegrityError

    with Session(world.engine) as s, pytest.raises(IntegrityError):
        s.add(
            CorrectionRequest(
                college_id=world.college_id,
                mark_id=mark_id,
                requested_by_user_id=world.users["teacher"],
                new_value="5",
                reason=REASON,
            )
        )
        s.commit()


def test_marks_of_another_college_are_not_found(world, engine):
    elsewhere = make_world(engine)
    foreign_mark = give_mark(elsewhere, "3")
    with pytest.raises(NotFound):
        ask(world, foreign_mark)
    request_id = ask(elsewhere, foreign_mark)
    with Session(world.engine) as s, pytest.raises(NotFound):
        corrections.approve(world.actor("deputy"), request_id, session=s)
    with Session(world.engine) as s:
        assert corrections.list_pending(world.actor("deputy"), session=s) == []


# --------------------------------------------------------------------------- the deputy's side refused


@pytest.mark.parametrize("who", ["teacher", "officer", "director"])
def test_only_the_deputy_decides(world, who):
    request_id = ask(world, give_mark(world, "3"))
    with Session(world.engine) as s, pytest.raises(AccessDenied, match="заместитель директора"):
        corrections.approve(world.actor(who), request_id, session=s)
    with Session(world.engine) as s, pytest.raises(AccessDenied):
        corrections.reject(world.actor(who), request_id, "не согласен с заявкой", session=s)
    with Session(world.engine) as s, pytest.raises(AccessDenied):
        corrections.list_pending(world.actor(who), session=s)
    assert request_row(world, request_id).status == "pending"
    assert [a.outcome for a in audits(world, "correction.approve", "correction.reject")] == ["refused"] * 2


def test_a_failed_approval_changes_nothing(world):
    """The mark was corrected directly meanwhile: the approval is refused whole, the request stays open."""
    mark_id = give_mark(world, "3")
    request_id = ask(world, mark_id, "4")
    with Session(world.engine) as s:
        correct_mark(world.actor("deputy"), mark_id, "5", "исправлено по ведомости", session=s)
    with Session(world.engine) as s, pytest.raises(DomainError, match="уже исправлена"):
        corrections.approve(world.actor("deputy"), request_id, session=s)
    assert request_row(world, request_id).status == "pending"
    assert [v for v, _, _ in marks_of_lesson(world, mark_id)] == ["3", "5"]
    assert audits(world, "correction.approve")[-1].outcome == "refused"


def test_history_filters_by_state_and_period(world):
    approved = ask(world, give_mark(world, "3"), "4")
    rejected = ask(world, give_mark(world, "2"), "3")
    waiting = ask(world, give_mark(world, "5"), "4")
    deputy = world.actor("deputy")
    with Session(world.engine) as s:
        corrections.approve(deputy, approved, session=s)
    with Session(world.engine) as s:
        corrections.reject(deputy, rejected, "отметка верна", session=s)
    with Session(world.engine) as s:
        every = corrections.history(deputy, start=world.today, end=world.today, session=s)
        decided = corrections.history(deputy, statuses=("approved", "rejected"), session=s)
        earlier = corrections.history(deputy, end=world.today.replace(year=world.today.year - 1), session=s)
    assert [r.id for r in every] == [waiting, rejected, approved]
    assert {r.id: r.status for r in decided} == {approved: "approved", rejected: "rejected"}
    assert earlier == []


# --------------------------------------------------------------------------- the monthly roll-up


def test_an_approved_correction_counts_in_the_monthly_rollup(world, tmp_path, database_url):
    # a lesson held yesterday (the roll-up counts held lessons), its mark written as on the day
    lesson_id = world.lesson(1, **filled_on(world, 1))
    with Session(world.engine) as s:
        mark = Mark(
            college_id=world.college_id,
            lesson_id=lesson_id,
            student_id=world.student_ids[0],
            value="3",
            work_kind="oral",
            created_by_user_id=world.users["teacher"],
        )
        s.add(mark)
        s.commit()
        assert mark.id is not None
        mark_id = mark.id
    with Session(world.engine) as s:
        corrections.approve(world.actor("deputy"), ask(world, mark_id, "4"), session=s)
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    run_etl(full=True, settings=settings)
    wh = WarehouseReader(settings.warehouse_dir)
    month = (world.today - timedelta(days=1)).replace(day=1)
    counted = wh.query(
        "SELECT mark_corrections FROM mart_monthly_teacher WHERE teacher_id = ? AND month_start = ?",
        [world.teacher_id, month],
    ).item()
    assert counted == 1
    current = wh.query(
        "SELECT mark_value, original_value, corrected, correction_reason FROM mark_current WHERE lesson_id = ?",
        [lesson_id],
    ).row(0)
    assert current == ("4", "3", True, REASON)
