"""КТП versions: the teacher drafts (on the page or from the template), the deputy director approves;
lessons pick topics from the approved version; history stays. Through the app role's connection, so
the grants and triggers of migration 0010 are what they are in production."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from app.db import get_engine
from app.domain import KtpSource, KtpStatus, LessonKind
from app.errors import AccessDenied, DomainError, NotFound
from app.imports.service import import_file
from app.imports.templates import template_xlsx
from app.models import AuditEvent, CurriculumItem, KtpVersion, Lesson, PlanTopic
from app.services import ktp
from app.services.journal import LessonEntry, lesson_sheet, save_lesson
from tests.factories import World, make_world
from tests.imports.helpers import xlsx

HEADER = ["Группа", "Код", "Семестр", "№", "Раздел", "Тема", "Часов", "Вид занятия", "Домашнее задание"]


def app_session() -> Session:
    return Session(get_engine())


def item_of(world: World, subject_id: int | None = None) -> int:
    with Session(world.engine) as s:
        item_id = s.exec(
            select(CurriculumItem.id).where(
                CurriculumItem.study_group_id == world.group_id,
                CurriculumItem.subject_id == (subject_id or world.subject_id),
            )
        ).one()
        assert item_id is not None
        return item_id


def plan(hours: list[int], prefix: str = "Тема") -> list[ktp.TopicInput]:
    return [
        ktp.TopicInput(f"{prefix} {i}", h, section="Раздел 1" if i <= 3 else "Раздел 2")
        for i, h in enumerate(hours, start=1)
    ]


FULL = [2] * 36  # the factory item plans 72 hours


def draft(world: World, topics: list[ktp.TopicInput], who: str = "teacher", note: str = "") -> int:
    with app_session() as s:
        return ktp.save_draft(world.actor(who), item_of(world), topics, note=note, session=s)


def versions(world: World, who: str = "teacher") -> list[ktp.VersionInfo]:
    with app_session() as s:
        return ktp.versions(world.actor(who), item_of(world), session=s)


def topics(world: World, version_id: int, who: str = "teacher") -> list[ktp.Topic]:
    with app_session() as s:
        return ktp.version_topics(world.actor(who), version_id, session=s)


def approve(world: World, version_id: int, comment: str = "", who: str = "deputy") -> None:
    with app_session() as s:
        ktp.approve(world.actor(who), version_id, comment, session=s)


def audits(world: World, action: str) -> list[AuditEvent]:
    with Session(world.engine) as s:
        return list(
            s.exec(
                select(AuditEvent)
                .where(AuditEvent.college_id == world.college_id, AuditEvent.action == action)
                .order_by(AuditEvent.id)  # type: ignore[arg-type]
            )
        )


# --------------------------------------------------------------------------- the rules alone


def test_hours_problem_names_the_exact_difference():
    assert ktp.hours_problem(72, 72) is None
    assert ktp.hours_problem(70, 72) == "Сумма часов КТП — 70, по учебному плану — 72: не хватает 2 ч."
    assert ktp.hours_problem(75, 72) == "Сумма часов КТП — 75, по учебному плану — 72: лишние 3 ч."


def test_diff_matches_topics_by_title_so_an_insertion_is_one_change():
    old = ktp.numbered(plan([2, 2, 2]))
    new = ktp.numbered(
        [
            ktp.TopicInput("Тема 1", 2, section="Раздел 1"),
            ktp.TopicInput("Новая тема", 2),
            ktp.TopicInput("Тема 2", 4, section="Раздел 1", lesson_kind=LessonKind.practical),
        ]
    )
    changes = ktp.diff(old, new)
    assert [(c.kind, c.old and c.old.title, c.new and c.new.title) for c in changes] == [
        ("added", None, "Новая тема"),
        ("changed", "Тема 2", "Тема 2"),
        ("removed", "Тема 3", None),
    ]
    assert changes[1].fields == ("hours", "lesson_kind")  # its № moved from 2 to 3: not a change
    assert ktp.diff_summary(changes) == "Тем добавлено 1, удалено 1, изменено 1."
    assert ktp.diff(old, old) == [] and ktp.diff_summary([]) == "Темы не изменились."


# --------------------------------------------------------------------------- the whole way


def test_existing_topics_are_the_approved_version_one(world):
    (v1,) = versions(world)
    assert (v1.number, v1.status, v1.source, v1.topics, v1.hours) == (
        1,
        KtpStatus.approved,
        KtpSource.transfer,
        3,
        6,
    )
    assert [t.id for t in topics(world, v1.id)] == world.plan_topic_ids


def test_teacher_drafts_the_deputy_approves_and_lessons_pick_from_the_approved_version(world):
    lid = world.lesson(0)
    with app_session() as s:
        offered = [p.id for p in lesson_sheet(world.actor("teacher"), lid, session=s).plan_topics]
    assert offered == world.plan_topic_ids  # version 1, before anything else

    version_id = draft(world, plan(FULL), note="полный КТП на семестр")
    v2, v1 = versions(world)
    assert (v2.number, v2.status, v2.source, v2.topics, v2.hours, v2.note) == (
        2,
        KtpStatus.draft,
        KtpSource.editor,
        36,
        72,
        "полный КТП на семестр",
    )
    assert v1.status is KtpStatus.approved  # a draft changes nothing in force
    with app_session() as s:
        still = [p.id for p in lesson_sheet(world.actor("teacher"), lid, session=s).plan_topics]
        (waiting,) = ktp.pending(world.actor("deputy"), session=s)
    assert still == world.plan_topic_ids
    assert (waiting.draft.id, waiting.approved and waiting.approved.number) == (version_id, 1)
    assert waiting.item.label.startswith("ИСП-11 · ОП.01 Операционные системы")

    approve(world, version_id, "согласовано")
    v2, v1 = versions(world)
    assert (v2.status, v2.decided_by, v2.decision_comment) == (
        KtpStatus.approved,
        "Морозова Ирина Павловна",
        "согласовано",
    )
    assert v1.status is KtpStatus.superseded
    assert [t.title for t in topics(world, v1.id)] == [
        "Введение в ОС",
        "Процессы и потоки",
        "Управление памятью",
    ]
    new_topics = topics(world, version_id)
    assert [t.position for t in new_topics] == list(range(1, 37))
    assert new_topics[0].section == "Раздел 1" and new_topics[5].section == "Раздел 2"
    with app_session() as s:
        assert ktp.pending(world.actor("deputy"), session=s) == []
        sheet = lesson_sheet(world.actor("teacher"), lid, session=s)
    assert [p.id for p in sheet.plan_topics] == [t.id for t in new_topics]

    # the journal takes a topic of the approved version, and refuses one of the superseded version
    with app_session() as s:
        save_lesson(world.actor("teacher"), lid, LessonEntry(plan_topic_id=new_topics[0].id), session=s)
    other = world.lesson(0)
    with app_session() as s, pytest.raises(DomainError, match="не из КТП"):
        save_lesson(
            world.actor("teacher"), other, LessonEntry(plan_topic_id=world.plan_topic_ids[1]), session=s
        )
    with Session(world.engine) as s:
        lesson = s.get(Lesson, lid)
        assert lesson is not None and (lesson.topic, lesson.plan_topic_id) == ("Тема 1", new_topics[0].id)


def test_a_lesson_keeps_the_topic_of_an_earlier_version(world):
    lid = world.lesson(0)
    with app_session() as s:
        save_lesson(
            world.actor("teacher"), lid, LessonEntry(plan_topic_id=world.plan_topic_ids[0]), session=s
        )
    approve(world, draft(world, plan(FULL)))
    with app_session() as s:  # saving the lesson again with its own topic is no change, not a refusal
        save_lesson(
            world.actor("teacher"),
            lid,
            LessonEntry(plan_topic_id=world.plan_topic_ids[0], homework="§1"),
            session=s,
        )
    with Session(world.engine) as s:
        lesson = s.get(Lesson, lid)
        assert lesson is not None and lesson.plan_topic_id == world.plan_topic_ids[0]


def test_hours_must_add_up_and_the_refusal_says_by_how_much(world):
    with pytest.raises(DomainError) as short:
        draft(world, plan([2] * 35))
    assert short.value.message == "Сумма часов КТП — 70, по учебному плану — 72: не хватает 2 ч."
    with pytest.raises(DomainError) as extra:
        draft(world, plan([2] * 36 + [2]))
    assert extra.value.message == "Сумма часов КТП — 74, по учебному плану — 72: лишние 2 ч."
    assert len(versions(world)) == 1
    refused = audits(world, "ktp.save_draft")
    assert [(a.outcome, a.message) for a in refused] == [
        ("refused", "Сумма часов КТП — 70, по учебному плану — 72: не хватает 2 ч."),
        ("refused", "Сумма часов КТП — 74, по учебному плану — 72: лишние 2 ч."),
    ]
    assert refused[0].details["hours"] == 70 and refused[0].details["planned_hours"] == 72


def test_bad_topics_are_refused_by_the_templates_rules(world):
    with pytest.raises(DomainError, match="Тема 2: не указана тема занятия"):
        draft(world, [ktp.TopicInput("Введение", 2), ktp.TopicInput("  ", 2)])
    with pytest.raises(DomainError, match="Тема 1: Число 70 вне допустимого диапазона: от 1 до 50"):
        draft(world, [ktp.TopicInput("Введение", 70), ktp.TopicInput("Итоги", 2)])
    with pytest.raises(DomainError, match="нет ни одной темы"):
        draft(world, [])


def test_a_new_draft_withdraws_the_pending_one_and_a_copy_of_the_approved_is_refused(world):
    first = draft(world, plan(FULL))
    second = draft(world, plan(FULL, prefix="Занятие"))
    v3, v2, v1 = versions(world)
    assert (v3.id, v3.status, v2.id, v2.status, v1.status) == (
        second,
        KtpStatus.draft,
        first,
        KtpStatus.withdrawn,
        KtpStatus.approved,
    )
    with pytest.raises(DomainError, match="совпадает с версией 3, которая уже на утверждении"):
        draft(world, plan(FULL, prefix="Занятие"))
    approve(world, second)
    with pytest.raises(DomainError, match="совпадает с утверждённой версией 3: сохранять нечего"):
        draft(world, plan(FULL, prefix="Занятие"))
    with pytest.raises(DomainError, match="Версия 2 КТП уже не ждёт решения: заменена новой редакцией"):
        approve(world, first)


def test_the_deputy_rejects_with_a_reason_and_the_approved_version_stays(world):
    version_id = draft(world, plan(FULL))
    with app_session() as s, pytest.raises(DomainError, match="Укажите причину отклонения"):
        ktp.reject(world.actor("deputy"), version_id, "нет", session=s)
    with app_session() as s:
        ktp.reject(world.actor("deputy"), version_id, "Разделите темы по разделам программы", session=s)
    v2, v1 = versions(world)
    assert (v2.status, v2.decision_comment, v1.status) == (
        KtpStatus.rejected,
        "Разделите темы по разделам программы",
        KtpStatus.approved,
    )
    with pytest.raises(DomainError, match="уже не ждёт решения: отклонена"):
        approve(world, version_id)
    # the teacher fixes it: a new draft, the rejected one stays in the history
    approve(world, draft(world, plan(FULL, prefix="Исправленная тема")))
    assert [v.status for v in versions(world)] == [
        KtpStatus.approved,
        KtpStatus.rejected,
        KtpStatus.superseded,
    ]


def test_who_may_do_what(world, engine):
    item = item_of(world)
    stranger = make_world(engine)
    foreign_item = item_of(stranger)
    for who in ("other_teacher", "deputy", "officer", "director", "student", "guardian"):
        with app_session() as s, pytest.raises(AccessDenied):
            ktp.save_draft(world.actor(who), item, plan(FULL), session=s)
    with app_session() as s, pytest.raises(NotFound):
        ktp.save_draft(world.actor("teacher"), foreign_item, plan(FULL), session=s)
    with app_session() as s, pytest.raises(AccessDenied):
        ktp.versions(world.actor("other_teacher"), item, session=s)
    with app_session() as s, pytest.raises(AccessDenied):
        ktp.my_items(world.actor("deputy"), session=s)
    with app_session() as s:
        mine = ktp.my_items(world.actor("teacher"), session=s)
        assert {o.id for o in mine} == {item, item_of(world, world.credit_subject_id)}
        assert all(o.current for o in mine)
        assert ktp.my_items(world.actor("other_teacher"), session=s) == []
        for reader in ("deputy", "director", "officer"):
            assert len(ktp.versions(world.actor(reader), item, session=s)) == 1

    version_id = draft(world, plan(FULL))
    for who in ("teacher", "other_teacher", "officer", "director"):
        with app_session() as s, pytest.raises(AccessDenied):
            ktp.approve(world.actor(who), version_id, session=s)
        with app_session() as s, pytest.raises(AccessDenied):
            ktp.reject(world.actor(who), version_id, "так не годится", session=s)
    with app_session() as s, pytest.raises(NotFound):
        ktp.approve(stranger.actor("deputy"), version_id, session=s)
    with app_session() as s, pytest.raises(NotFound):
        ktp.version_topics(stranger.actor("deputy"), version_id, session=s)
    assert versions(world)[0].status is KtpStatus.draft
    refused = [a for a in audits(world, "ktp.approve") if a.outcome == "refused"]
    assert len(refused) == 4 and all(
        a.message == "КТП утверждает заместитель директора по УР." for a in refused
    )


def test_every_outcome_is_audited(world):
    version_id = draft(world, plan(FULL), note="первая редакция")
    approve(world, version_id, "хорошо")
    saved = [a for a in audits(world, "ktp.save_draft") if a.outcome == "accepted"]
    assert len(saved) == 1
    assert (saved[0].entity, saved[0].entity_id, saved[0].actor_user_id) == (
        "ktp_version",
        version_id,
        world.users["teacher"],
    )
    assert saved[0].details["number"] == 2 and saved[0].details["changes"] == {
        "added": 33,
        "removed": 0,
        "changed": 3,
    }
    (approved,) = audits(world, "ktp.approve")
    assert (approved.outcome, approved.entity_id, approved.details["previous_version"]) == (
        "accepted",
        version_id,
        1,
    )
    assert approved.details["comment"] == "хорошо" and approved.details["hours"] == 72


# --------------------------------------------------------------------------- the template's file


def ktp_file(world: World, rows: list[list[object]]) -> bytes:
    return xlsx([HEADER, *[["ИСП-11", "ОП.01", world.semester, *row] for row in rows]])


def test_upload_from_the_template(world):
    item = item_of(world)
    rows: list[list[object]] = [[n, "Раздел 1", f"Тема {n}", 2, "Лекция", ""] for n in range(36, 0, -1)]
    rows[0][4] = "Практическое занятие"  # № 36
    data = ktp_file(world, rows)
    with app_session() as s:
        parsed = ktp.read_file(world.actor("teacher"), item, data, "ктп.xlsx", session=s)
    assert parsed.ok, parsed.errors
    assert [t.title for t in parsed.topics[:2]] == ["Тема 1", "Тема 2"]  # ordered by №
    assert parsed.topics[-1].lesson_kind is LessonKind.practical
    with app_session() as s:
        version_id = ktp.upload_draft(world.actor("teacher"), item, data, "ктп.xlsx", session=s)
    v2 = versions(world)[0]
    assert (v2.id, v2.source, v2.status, v2.hours) == (version_id, KtpSource.file, KtpStatus.draft, 72)
    (audit,) = [a for a in audits(world, "ktp.save_draft") if a.outcome == "accepted"]
    assert audit.details["source"] == "file" and len(audit.details["sha256"]) == 64


def test_an_uploaded_file_of_another_group_or_short_of_hours_is_refused(world):
    item = item_of(world)
    with app_session() as s:
        example = ktp.read_file(world.actor("teacher"), item, template_xlsx("ktp"), "шаблон.xlsx", session=s)
    assert not example.ok
    assert "группа «ИСП-21», а КТП составляется для группы «ИСП-11»" in example.errors[0].message
    short = ktp_file(world, [[n, "", f"Тема {n}", 2, "", ""] for n in range(1, 36)])
    with app_session() as s, pytest.raises(DomainError) as refused:
        ktp.upload_draft(world.actor("teacher"), item, short, "ктп.xlsx", session=s)
    assert refused.value.message == "Сумма часов КТП — 70, по учебному плану — 72: не хватает 2 ч."
    twice = ktp_file(world, [[1, "", "Тема", 36, "", ""], [1, "", "Тема", 36, "", ""]])
    with app_session() as s, pytest.raises(DomainError, match="Файл не принят: ошибок 1"):
        ktp.upload_draft(world.actor("teacher"), item, twice, "ктп.xlsx", session=s)
    with app_session() as s, pytest.raises(AccessDenied):
        ktp.read_file(world.actor("other_teacher"), item, short, "ктп.xlsx", session=s)
    assert len(versions(world)) == 1


def test_the_officers_import_still_loads_the_ktp_as_an_approved_version(world):
    rows = [
        ["Группа", "Код", "Семестр", "№", "Тема", "Часов"],
        ["ИСП-11", "ОП.01", world.semester, 2, "Процессы и потоки ОС", 4],
        ["ИСП-11", "ОП.01", world.semester, 4, "Файловые системы", 2],
    ]
    with app_session() as s:
        result = import_file(
            "ktp",
            xlsx(rows),
            "ktp.xlsx",
            session=s,
            college_id=world.college_id,
            actor=world.actor("officer"),
        )
    assert result.ok, result.errors
    assert (result.added, result.changed, result.unchanged) == (1, 1, 0)
    assert "Утверждены новые версии КТП: ИСП-11 · ОП.01" in result.notes[0]
    assert "Сумма часов КТП — 10, по учебному плану — 72: не хватает 62 ч." in result.notes[1]
    v2, v1 = versions(world)
    assert (v2.status, v2.source, v2.decided_by, v1.status) == (
        KtpStatus.approved,
        KtpSource.imported,
        "Захаров Антон Ильич",
        KtpStatus.superseded,
    )
    assert [(t.position, t.title, t.hours) for t in topics(world, v2.id)] == [
        (1, "Введение в ОС", 2),
        (2, "Процессы и потоки ОС", 4),
        (3, "Управление памятью", 2),
        (4, "Файловые системы", 2),
    ]
    with app_session() as s:
        again = import_file(
            "ktp",
            xlsx(rows),
            "ktp.xlsx",
            session=s,
            college_id=world.college_id,
            actor=world.actor("officer"),
        )
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2)
    assert len(versions(world)) == 2


# --------------------------------------------------------------------------- the database itself


def test_the_app_role_cannot_rewrite_a_version_or_its_topics(world):
    (v1,) = versions(world)
    item = item_of(world)
    statements = {
        "UPDATE plan_topic SET title = 'x' WHERE id = :topic": "permission denied",
        "DELETE FROM plan_topic WHERE id = :topic": "permission denied",
        "DELETE FROM ktp_version WHERE id = :version": "permission denied",
        "UPDATE ktp_version SET number = 7 WHERE id = :version": "permission denied",
        "UPDATE ktp_version SET status = 'draft', decided_at = NULL WHERE id = :version": "уже рассмотрена",
        "INSERT INTO plan_topic (curriculum_item_id, ktp_version_id, position, title, hours, homework) "
        "VALUES (:item, :version, 99, 'Лишняя', 2, '')": "её темы не изменяются",
        "INSERT INTO plan_topic (curriculum_item_id, position, title, hours, homework) "
        "VALUES (:item, 99, 'Без версии', 2, '')": "записывается в версию КТП",
    }
    for statement, refusal in statements.items():
        with get_engine().connect() as conn, pytest.raises(DBAPIError, match=refusal):
            conn.execute(text(statement), {"topic": world.plan_topic_ids[0], "version": v1.id, "item": item})
    with Session(world.engine) as s:
        assert s.get(KtpVersion, v1.id).status == "approved"  # type: ignore[union-attr]
        assert s.exec(select(PlanTopic.title).where(PlanTopic.id == world.plan_topic_ids[0])).one() == (
            "Введение в ОС"
        )
