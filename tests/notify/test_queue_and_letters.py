"""E-mail notices end to end through a real SMTP server on 127.0.0.1: the digest and each alert
arrive with the right content, an outage loses nothing and sends nothing twice, the unsubscribe
link stops them (issue 16)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

from sqlalchemy import text
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from app.calendar import Half
from app.models import AttestationClose, SemesterMark, StudyGroup
from app.notify.produce import produce
from app.notify.queue import send_due
from app.services import notices
from app.services.journal import college_now
from app.settings import get_settings
from app.web import routes
from etl.load import run_etl
from etl.warehouse import WarehouseReader
from tests.notify.conftest import (
    GUARDIAN_EMAIL,
    STUDENT_EMAIL,
    absent,
    add_mark,
    digest_time,
    html_of,
    text_of,
)
from tests.test_mark_current import add_sheet, items_of


def produce_at(world, settings, now=None, reader=None):
    with Session(world.engine) as s:
        report = produce(s, settings, now or college_now(session=s), reader=reader)
        s.commit()
    return report


def queued(world) -> list[tuple[str, str, str]]:
    with Session(world.engine) as s:
        rows = s.execute(text("SELECT kind, to_address, status FROM notice ORDER BY id"))
        return [tuple(r) for r in rows]


def test_the_weekly_digest_tells_the_week_with_what_each_mark_was_for(addressed, settings, relay):
    world = addressed
    world.make_curator()
    lesson = world.lesson(0, topic="Процессы и потоки", homework="§ 4, вопросы 1–5", work_kind="practical")
    add_mark(world, lesson, "5", kind="practical", comment="ответ у доски")
    other = world.lesson(0)
    absent(world, other)
    with Session(world.engine) as s:
        posted = notices.post_announcement(
            world.actor("teacher"),
            world.group_id,
            "Собрание",
            "Родительское собрание в пятницу в 18:00.",
            session=s,
        )
    assert posted == 2  # the guardian and the student, each once

    # The serve loop produces every few minutes: the day's absence goes the morning after (whatever
    # weekday the suite runs on), the digest at its hour; each is queued once whichever comes first.
    morning_after = datetime.combine(world.today + timedelta(days=1), time(8, 0), tzinfo=get_settings().tz)
    queued_now: Counter[str] = Counter()
    for at in sorted({morning_after, digest_time(world.today)}):
        queued_now.update(produce_at(world, settings, at).queued)
    assert dict(queued_now) == {"digest": 2, "absence": 2}
    sent = send_due(world.engine, settings)
    assert (sent.sent, sent.retried, sent.dead, sent.relay_down) == (6, 0, 0, "")

    digests = [m for m in relay.inbox.to(GUARDIAN_EMAIL) if m["Subject"].startswith("Дневник")]
    assert len(digests) == 1
    (mail,) = digests
    assert "Абрамов Илья Сергеевич" in mail["Subject"]
    assert mail["From"] == "Колледж <journal@college.example.ru>"
    plain, rich = text_of(mail), html_of(mail)
    assert plain.startswith("Здравствуйте, Ольга Ивановна!")
    for part in (plain, rich):
        assert "Операционные системы: 5 — Практическая работа, за что: ответ у доски" in part
        assert "отсутствовал (неуважительная причина)" in part
        assert "§ 4, вопросы 1–5" in part
        assert "Собрание. Родительское собрание в пятницу в 18:00." in part
    link = mail["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://journal.college.example.ru/notices/unsubscribe?t=g")
    assert link in plain and mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    own = [m for m in relay.inbox.to(STUDENT_EMAIL) if m["Subject"].startswith("Дневник")]
    assert len(own) == 1 and "ваша неделя" in own[0]["Subject"]

    # the same hour again, or the next: nothing is queued or sent twice
    assert produce_at(world, settings, digest_time(world.today)).total == 0
    assert send_due(world.engine, settings).sent == 0
    assert len(relay.inbox.messages) == 6


def test_each_alert_arrives_once_with_its_facts(addressed, settings, relay):
    world = addressed
    first = world.student_ids[0]
    yesterday = world.lesson(1, pair_number=2)
    absent(world, yesterday)
    today_a, today_b = world.lesson(0), world.lesson(0)
    absent(world, today_a)
    absent(world, today_b)  # 4 of the month's hours at least: far over the systematic share
    add_mark(world, today_a, "2", kind="control", comment="контрольная по процессам")
    item = items_of(world)[0]
    add_sheet(world, SemesterMark, item, first, "2")
    with Session(world.engine) as s:
        group = s.get(StudyGroup, world.group_id)
        half = Half.of_group(group.admission_year, world.semester)
        s.add(AttestationClose(college_id=world.college_id, academic_year=half.year, half=half.half,
                               closed_by_user_id=world.users["deputy"]))  # fmt: skip
        s.commit()
    run_etl(full=True, settings=settings)
    reader = WarehouseReader(settings.warehouse_dir)

    report = produce_at(world, settings, reader=reader)
    digests = report.queued.pop("digest", 0)  # at the weekend the week's digest is due beside them
    assert dict(report.queued) == {"absence": 2, "low_mark": 2, "systematic": 2, "debt": 2}
    assert send_due(world.engine, settings).sent == 8 + digests
    by_subject = {m["Subject"]: text_of(m) for m in relay.inbox.to(GUARDIAN_EMAIL)}
    absence = next(t for s, t in by_subject.items() if s.startswith("Пропуск занятий"))
    assert "2-я пара, Операционные системы: 2 ч" in absence  # yesterday's, not today's (the day is open)
    low = next(t for s, t in by_subject.items() if s.startswith("Отметка «2»"))
    assert "2 — Контрольная работа, за что: контрольная по процессам" in low
    systematic = next(t for s, t in by_subject.items() if s.startswith("Систематические"))
    assert "больше допустимой доли 30 %" in systematic
    debt = next(t for s, t in by_subject.items() if s.startswith("Академическая задолженность"))
    assert f"Операционные системы ({world.semester}-й семестр): неудовлетворительная отметка «2»" in debt

    assert produce_at(world, settings, reader=reader).total == 0  # each fact once
    reader.close()


def test_an_outage_then_recovery_delivers_every_notice_exactly_once(addressed, settings, relay):
    world = addressed
    with Session(world.engine) as s:
        for n in range(3):
            notices.post_announcement(
                world.actor("deputy"), world.group_id, f"Объявление {n}", "Текст.", session=s
            )
    assert len(queued(world)) == 6

    relay.stop()
    down = send_due(world.engine, settings)
    assert down.sent == 0 and "ConnectionRefused" in down.relay_down
    assert [status for _, _, status in queued(world)] == ["queued"] * 6  # nothing lost

    relay.inbox.refuse = ["451 4.3.0 Временная ошибка, повторите позже"]
    relay.start()
    back = send_due(world.engine, settings)
    assert (back.sent, back.retried) == (5, 1)
    with Session(world.engine) as s:
        waiting = s.execute(
            text("SELECT attempts, last_error, next_attempt_at > now() FROM notice WHERE status = 'queued'")
        ).one()
        assert waiting[0] == 1 and "451" in waiting[1] and waiting[2]  # paused before the next attempt
        assert send_due(world.engine, settings).sent == 0  # not before its time
        s.execute(
            text("UPDATE notice SET next_attempt_at = now() WHERE status = 'queued'")
        )  # the pause passes
        s.commit()
    assert send_due(world.engine, settings).sent == 1
    ids = [m["Message-ID"] for m in relay.inbox.messages]
    assert len(ids) == 6 and len(set(ids)) == 6
    assert [status for _, _, status in queued(world)] == ["sent"] * 6
    with Session(world.engine) as s:
        audited = s.execute(
            text("SELECT count(*) FROM audit_event WHERE action = 'notice.sent' AND college_id = :c"),
            {"c": world.college_id},
        ).scalar_one()
    assert audited == 6


def test_a_refused_address_is_dead_after_the_last_attempt(addressed, settings, relay):
    world = addressed
    with Session(world.engine) as s:
        notices.post_announcement(world.actor("deputy"), world.group_id, "Тема", "Текст.", session=s)
    relay.inbox.refuse = ["550 5.1.1 Нет такого ящика", "452 4.2.2 Ящик переполнен"]
    report = send_due(world.engine, settings)
    assert (report.sent, report.retried, report.dead) == (0, 1, 1)  # 5xx: at once; 4xx: later
    with Session(world.engine) as s:
        for _ in range(2):
            s.execute(text("UPDATE notice SET next_attempt_at = now() WHERE status = 'queued'"))
            s.commit()
            relay.inbox.refuse = ["452 4.2.2 Ящик переполнен"]
            send_due(world.engine, settings)
    assert sorted(status for _, _, status in queued(world)) == ["dead", "dead"]  # max attempts: 3
    assert relay.inbox.messages == []


def test_the_unsubscribe_link_stops_every_letter_and_a_forged_one_does_not(addressed, settings, relay):
    world = addressed
    world.make_curator()
    lesson = world.lesson(0)
    add_mark(world, lesson, "4")
    produce_at(world, settings, digest_time(world.today))
    send_due(world.engine, settings)
    mail = next(m for m in relay.inbox.to(GUARDIAN_EMAIL))
    link = mail["List-Unsubscribe"].strip("<>").removeprefix(settings.public_url)
    client = TestClient(Starlette(routes=routes()))

    page = client.get(link)
    assert page.status_code == 200 and "Отписаться от всех писем" in page.text
    forged = client.post(link[:-3] + ("abc" if not link.endswith("abc") else "abd"))
    assert forged.status_code == 400 and "Ссылка для отписки повреждена" in forged.text
    done = client.post(link, data={"List-Unsubscribe": "One-Click"})  # what a mail client sends
    assert done.status_code == 200 and GUARDIAN_EMAIL in done.text

    with Session(world.engine) as s:
        notices.post_announcement(world.actor("teacher"), world.group_id, "Тема", "Текст.", session=s)
        s.execute(text("DELETE FROM notice WHERE kind = 'digest'"))  # as if next week's
        s.commit()
    produce_at(world, settings, digest_time(world.today))
    assert [(k, to) for k, to, st in queued(world) if st == "queued"] == [
        ("announcement", STUDENT_EMAIL),
        ("digest", STUDENT_EMAIL),
    ]  # the student is still subscribed; the guardian gets nothing


def test_the_guardian_letter_goes_as_a_pdf_attachment(addressed, settings, relay):
    world = addressed
    world.make_curator()
    with Session(world.engine) as s:
        n = notices.email_letter(
            world.actor("teacher"),
            world.student_ids[0],
            world.today,
            world.today,
            b"%PDF-1.7 test",
            session=s,
        )
    assert n == 1
    send_due(world.engine, settings)
    (mail,) = relay.inbox.to(GUARDIAN_EMAIL)
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == b"%PDF-1.7 test"
    assert "Во вложении" in text_of(mail)
