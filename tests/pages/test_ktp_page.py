"""«КТП» through the real router: the teacher edits or uploads a draft, the deputy director decides."""

from __future__ import annotations

from sqlmodel import Session, select

from app.db import get_engine
from app.domain import KtpStatus
from app.models import CurriculumItem, KtpVersion
from app.services import ktp
from tests.imports.helpers import xlsx
from tests.pages.conftest import menu, texts

PAGE = "pages/ktp.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["Группа", "Код", "Семестр", "№", "Раздел", "Тема", "Часов", "Вид занятия", "Домашнее задание"]


def item_of(world) -> int:
    with Session(world.engine) as s:
        found = s.exec(
            select(CurriculumItem.id).where(
                CurriculumItem.study_group_id == world.group_id, CurriculumItem.subject_id == world.subject_id
            )
        ).one()
        assert found is not None
        return found


def versions_of(world) -> list[KtpVersion]:
    with Session(world.engine) as s:
        return list(
            s.exec(
                select(KtpVersion)
                .where(KtpVersion.curriculum_item_id == item_of(world))
                .order_by(KtpVersion.number)  # type: ignore[arg-type]
            )
        )


def open_item(run_as, world):
    at = run_as(world.users["teacher"], PAGE)
    assert not at.exception, at.exception
    at.selectbox(key="ktp_item").select(item_of(world)).run()
    assert not at.exception, at.exception
    return at


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_menu_and_the_teacher_without_subjects(run_as, world):
    assert "КТП" in menu(run_as(world.users["teacher"]))
    assert "КТП" in menu(run_as(world.users["deputy"]))
    assert "КТП" not in menu(run_as(world.users["officer"]))
    at = run_as(world.users["other_teacher"], PAGE)
    assert not at.exception, at.exception
    assert "не закреплено ни одной дисциплины" in texts(at)


def test_the_teacher_edits_the_ktp_and_sees_the_hours_check_before_saving(run_as, world):
    at = open_item(run_as, world)
    page = texts(at)
    assert "По учебному плану: **72 ч.**" in page and "Утверждённая версия **1**" in page
    assert "Сумма часов КТП — 6, по учебному плану — 72: не хватает 66 ч." in page
    assert button(at, "Сохранить и отправить на утверждение").disabled
    editor = at.data_editor[0]
    assert editor.value["Тема"].tolist() == ["Введение в ОС", "Процессы и потоки", "Управление памятью"]
    assert list(editor.value.columns) == ["№", "Раздел", "Тема", "Часы", "Вид занятия", "Домашнее задание"]

    key = editor.key
    at.session_state[key] = {
        "edited_rows": {0: {"Часы": 40, "Раздел": "Раздел 1. Введение"}, 1: {"Часы": 30}},
        "added_rows": [{"№": 2, "Тема": "Потоки и планирование", "Часы": 0, "Вид занятия": "Лекция"}],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception, at.exception
    assert "Строка 4, «Часы»: Число 0 вне допустимого диапазона: от 1 до 50." in [e.value for e in at.error]
    at.session_state[key] = {
        "edited_rows": {0: {"Часы": 40, "Раздел": "Раздел 1. Введение"}, 1: {"Часы": 28}},
        "added_rows": [{"№": 2, "Тема": "Потоки и планирование", "Часы": 2, "Вид занятия": "Лекция"}],
        "deleted_rows": [],
    }
    at.run()
    assert "Сумма часов КТП — 72, по учебному плану — 72: совпадает." in texts(at)
    at.text_input(key=f"ktp_note_{item_of(world)}").input("добавлена тема о потоках")
    save = button(at, "Сохранить и отправить на утверждение")
    assert not save.disabled
    save.click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert "Сохранена версия 2 КТП: она отправлена на утверждение." in [s.value for s in at.success]
    v1, v2 = versions_of(world)
    assert (v1.status, v2.status, v2.note) == ("approved", "draft", "добавлена тема о потоках")
    with Session(get_engine()) as s:
        saved = ktp.version_topics(world.actor("teacher"), v2.id, session=s)  # type: ignore[arg-type]
    assert [(t.position, t.title, t.hours) for t in saved] == [
        (1, "Введение в ОС", 40),
        (2, "Процессы и потоки", 28),
        (3, "Потоки и планирование", 2),  # № 2 as well: after the existing № 2
        (4, "Управление памятью", 2),
    ]
    assert saved[0].section == "Раздел 1. Введение" and saved[2].kind_label == "Лекция"
    assert "Версия 2 на утверждении у заместителя директора по УР." in texts(at)


def test_the_teacher_uploads_the_template_and_the_deputy_approves_with_a_diff(run_as, world):
    at = open_item(run_as, world)
    labels = [b.label for b in at.get("download_button")]
    assert "Скачать шаблон" in labels and "Скачать текущий КТП в формате шаблона" in labels
    rows = [[n, "", "Введение в ОС" if n == 1 else f"Тема {n}", 2, "", ""] for n in range(1, 37)]
    data = xlsx([HEADER, *[["ИСП-11", "ОП.01", world.semester, *r] for r in rows]])
    at.file_uploader(key=f"ktp_upload_{item_of(world)}").set_value(("ктп.xlsx", data, XLSX)).run()
    assert not at.exception, at.exception
    assert "Сумма часов КТП — 72, по учебному плану — 72: совпадает." in texts(at)
    button(at, "Сохранить файл и отправить на утверждение").click().run()
    assert not at.error, [e.value for e in at.error]
    assert "КТП из файла сохранён новой версией и отправлен на утверждение." in [s.value for s in at.success]
    draft = versions_of(world)[-1]
    assert (draft.number, draft.status, draft.source) == (2, "draft", "file")

    deputy = run_as(world.users["deputy"], PAGE)
    assert not deputy.exception, deputy.exception
    page = texts(deputy)
    assert "ИСП-11 · ОП.01 Операционные системы" in page and "версия 2" in page
    assert "Сравнение с утверждённой версией 1: Тем добавлено 33, изменено 2." in page
    changes = deputy.dataframe[0].value
    assert changes["Изменение"].tolist()[:2] == ["изменена", "изменена"]
    assert changes["Было"].tolist()[0] == "2. Процессы и потоки · 2 ч."
    deputy.text_input(key=f"ktp_comment_{draft.id}").input("нет")
    deputy.button(key=f"ktp_reject_{draft.id}").click().run()
    assert "Укажите причину отклонения (не короче 5 символов): что исправить." in [
        e.value for e in deputy.error
    ]
    deputy.text_input(key=f"ktp_comment_{draft.id}").input("согласовано")
    deputy.button(key=f"ktp_approve_{draft.id}").click().run()
    assert not deputy.error, [e.value for e in deputy.error]
    assert any("утверждена: темы занятий выбираются из неё" in s.value for s in deputy.success)
    assert "Версий КТП на утверждении нет." in texts(deputy)
    assert [v.status for v in versions_of(world)] == [KtpStatus.superseded.value, KtpStatus.approved.value]

    teacher = open_item(run_as, world)
    assert "Утверждённая версия **2**" in texts(teacher)
    assert "утвердил(а) Морозова Ирина Павловна" in texts(teacher)


def test_a_file_of_another_group_shows_its_errors(run_as, world):
    at = open_item(run_as, world)
    data = xlsx([HEADER, ["ИСП-99", "ОП.01", world.semester, 1, "", "Тема", 2, "", ""]])
    at.file_uploader(key=f"ktp_upload_{item_of(world)}").set_value(("ктп.xlsx", data, XLSX)).run()
    assert not at.exception, at.exception
    assert "В файле ошибок: 1. Исправьте их и загрузите файл снова." in [e.value for e in at.error]
    (issues,) = [d.value for d in at.dataframe if "Что исправить" in d.value.columns]
    assert "составляется для группы «ИСП-11»" in issues["Что исправить"].tolist()[0]
    assert not any(b.label == "Сохранить файл и отправить на утверждение" for b in at.button)
    assert len(versions_of(world)) == 1


def test_the_deputy_sees_the_history_of_any_item(run_as, world):
    with Session(get_engine()) as s:
        topics = [ktp.TopicInput(f"Тема {n}", 2) for n in range(1, 37)]
        version_id = ktp.save_draft(world.actor("teacher"), item_of(world), topics, session=s)
        ktp.reject(world.actor("deputy"), version_id, "Уточните разделы", session=s)
    deputy = run_as(world.users["deputy"], PAGE)
    deputy.selectbox(key="ktp_college_item").select(item_of(world)).run()
    assert not deputy.exception, deputy.exception
    history = deputy.dataframe[0].value
    assert history["Состояние"].tolist() == ["отклонена", "утверждена"]
    assert history["Комментарий к решению"].tolist()[0] == "Уточните разделы"
    teacher = open_item(run_as, world)
    assert "Версия 2 отклонена (Морозова Ирина Павловна): Уточните разделы" in texts(teacher)
    assert "Правка начинается с версии 2 (отклонена)." in texts(teacher)
