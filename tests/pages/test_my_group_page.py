"""The Моя группа page through the real router: the list, the forms, credentials and valid reasons."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.domain import Role
from app.models import Attendance, Guardian, Student
from tests.diary_factories import attend, make_curator, second_group
from tests.pages.conftest import menu, next_request, texts
from tests.reports.conftest import pdf_text

MY_GROUP = "pages/my_group.py"


def by_label(widgets, label):
    found = [w for w in widgets if w.label == label]
    assert found, f"no widget labelled {label!r}: {[w.label for w in widgets]}"
    return found[0]


@pytest.fixture
def cw(world):
    make_curator(world)
    return world


def test_curator_sees_the_group_list_stats_and_an_excel_download(run_as, cw):
    assert "Моя группа" in menu(run_as(cw.users["teacher"]))
    at = run_as(cw.users["teacher"], MY_GROUP)
    assert not at.exception
    assert "ИСП-11" in texts(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Студентов"] == "5"
    frame = at.dataframe[0].value
    assert list(frame["ФИО"])[:2] == ["Абрамов Илья Сергеевич", "Белова Анна Игоревна"]
    assert "Абрамова Ольга Ивановна (родитель)" in next(iter(frame["Родители (законные представители)"]))
    assert any(b.label == "Скачать в Excel" for b in at.get("download_button"))


def test_add_a_student_and_see_them_in_the_list(run_as, cw):
    at = run_as(cw.users["teacher"], MY_GROUP)
    by_label(at.text_input, "Фамилия").input("Жукова")
    by_label(at.text_input, "Имя").input("Ксения")
    by_label(at.button, "Добавить студента").click().run()
    assert not at.error, [e.value for e in at.error]
    assert "Студент Жукова Ксения добавлен(а) в группу." in [s.value for s in at.success]
    assert "Жукова Ксения" in list(at.dataframe[0].value["ФИО"])


def test_an_empty_name_is_refused_in_russian(run_as, cw):
    at = run_as(cw.users["teacher"], MY_GROUP)
    by_label(at.text_input, "Имя").input("Ксения")
    by_label(at.button, "Добавить студента").click().run()
    assert "Укажите фамилию." in [e.value for e in at.error]


def test_issued_password_is_shown_once(run_as, cw):
    at = run_as(cw.users["teacher"], MY_GROUP)
    who = by_label(at.selectbox, "Кому")
    assert "Студент: Белова Анна Игоревна — логин не выдан" in who.options
    who.select(f"student:{cw.student_ids[1]}")
    by_label(at.button, "Выдать доступ").click().run()
    assert not at.error, [e.value for e in at.error]
    [code] = at.code
    assert "Логин: belova.ai" in code.value and "Временный пароль: " in code.value
    with Session(cw.engine) as s:
        student = s.get(Student, cw.student_ids[1])
        assert student is not None and student.user_id is not None
    # the next request no longer shows it
    by_label(at.toggle, "Показать выбывших").set_value(True).run()
    assert not at.code


def test_an_absence_is_excused_from_the_page(run_as, cw):
    sid = cw.student_ids[0]
    aid = attend(cw, cw.lesson(1), sid, "absent")
    at = run_as(cw.users["teacher"], MY_GROUP)
    picker = by_label(at.multiselect, "Пропуски «н»")
    picker.select(aid)
    by_label(at.text_input, "Примечание").input("справка № 15")
    by_label(at.button, "Отметить уважительную причину").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("Отмечено по уважительной причине: 1" in s.value for s in at.success)
    with Session(cw.engine) as s:
        row = s.get(Attendance, aid)
        assert row is not None and (row.status, row.reason) == ("excused", "Справка: справка № 15")
        assert row.reason_document_date == cw.today


def test_edit_a_guardians_phone_with_validation(run_as, cw):
    at = run_as(cw.users["teacher"], MY_GROUP)
    action = next(r for r in at.radio if r.key == "my_group_guardian_action")
    action.set_value("Изменить данные").run()
    phone = next(t for t in at.text_input if t.label == "Телефон")
    phone.input("12-34")
    [save] = [b for b in at.button if b.label == "Сохранить"]
    save.click().run()
    assert any("Телефон указан неверно" in e.value for e in at.error)
    phone = next(t for t in at.text_input if t.label == "Телефон")
    phone.input("8 912 345 67 89")
    [save] = [b for b in at.button if b.label == "Сохранить"]
    save.click().run()
    assert "Данные родителя сохранены." in [s.value for s in at.success]
    with Session(cw.engine) as s:
        g = s.exec(select(Guardian).where(Guardian.user_id == cw.users["guardian"])).one()
        assert g.phone == "+7 912 345-67-89"


def test_deputy_chooses_any_group(run_as, world):
    world.make_curator("teacher")
    second_group(world)
    at = run_as(world.users["deputy"], MY_GROUP)
    group = at.selectbox(key="my_group_id")
    assert group.options == [
        "ИСП-11 · куратор Соколова Е. В.",
        "ИСП-21 · куратор Кузнецов О. П.",
    ]
    group.select_index(1).run()
    assert "В группе нет студентов." in texts(at)


@pytest.mark.parametrize("who", ["teacher", "student", "guardian", "director"])
def test_others_cannot_reach_my_group(run_as, world, who):
    at = run_as(world.users[who])
    assert "Моя группа" not in menu(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(MY_GROUP)


def test_a_curator_role_removed_takes_effect_at_the_next_request(run_as, cw):
    from app.services.admin import revoke_role

    at = run_as(cw.users["teacher"])
    assert "Моя группа" in menu(at)
    with Session(cw.engine) as s:
        revoke_role(
            cw.actor("officer"),
            cw.users["teacher"],
            Role.curator,
            group_id=cw.group_id,
            reason="смена куратора",
            session=s,
        )
    assert "Моя группа" not in menu(next_request(at))


def test_stats_come_from_the_warehouse_once_it_is_built(run_as, cw, warehouse):
    from tests.diary_factories import mark

    lid = cw.lesson(0)
    mark(cw, lid, cw.student_ids[0], "5")
    mark(cw, lid, cw.student_ids[1], "3")
    attend(cw, cw.lesson(0, pair_number=6), cw.student_ids[2], "absent")
    warehouse()
    at = run_as(cw.users["teacher"], MY_GROUP)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Студентов"] == "5" and metrics["Средний балл"] == "4,00"
    assert metrics["Пропущено часов в месяце"] == "2"

    assert "Данные на " in texts(at)


def test_without_a_warehouse_the_page_says_when_the_figures_come(run_as, cw, tmp_path, monkeypatch):
    from app.analytics.common import get_reader
    from app.settings import get_settings
    from tests.diary_factories import mark

    monkeypatch.setenv("EJOURNAL_DATA_DIR", str(tmp_path / "nothing"))
    get_settings.cache_clear()
    get_reader.cache_clear()
    try:
        mark(cw, cw.lesson(0), cw.student_ids[0], "4")
        at = run_as(cw.users["teacher"], MY_GROUP)
        # one home for the group's figures, the marts: until they are built, the count alone
        assert {m.label: m.value for m in at.metric} == {"Студентов": "5"}
        assert "появятся после первой загрузки аналитики" in texts(at)
    finally:
        get_settings.cache_clear()
        get_reader.cache_clear()


@pytest.fixture
def printed(monkeypatch):
    """The slips PDFs the page made, captured on their way to the download button."""
    from app.ui import my_group

    made: list[bytes] = []
    real = my_group.slips_pdf

    def spy(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(my_group, "slips_pdf", spy)
    return made


def test_a_single_slip_downloads_as_a_pdf_with_the_new_password(run_as, cw, printed):
    at = run_as(cw.users["teacher"], MY_GROUP)
    by_label(at.selectbox, "Кому").select(f"student:{cw.student_ids[1]}")
    by_label(at.button, "Выдать доступ").click().run()
    assert "Памятка для печати (PDF)" in [b.proto.label for b in at.get("download_button")]
    password = at.code[0].value.rsplit("Временный пароль: ", 1)[1].strip()
    [pdf] = printed
    text = " ".join(pdf_text(pdf).split())
    assert "Белова Анна Игоревна" in text and "belova.ai" in text and password in text


def test_the_whole_group_is_issued_and_printed_at_once(run_as, cw, printed):
    with Session(cw.engine) as s:
        without_login = [
            f"{st.last_name} {st.first_name}"
            for st in s.exec(select(Student).where(Student.study_group_id == cw.group_id))
            if st.user_id is None
        ]
    assert without_login
    at = run_as(cw.users["teacher"], MY_GROUP)
    by_label(at.button, "Выдать доступ группе и напечатать памятки").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("Доступ к дневнику выдан:" in s.value for s in at.success)
    assert "Памятки для печати (PDF)" in [b.proto.label for b in at.get("download_button")]
    [pdf] = printed
    text = " ".join(pdf_text(pdf).split())
    with Session(cw.engine) as s:
        students = list(s.exec(select(Student).where(Student.study_group_id == cw.group_id)))
    assert all(st.user_id is not None for st in students)  # every student has a login now
    assert all(name in text for name in without_login) and "группа ИСП-11" in text
    # a second press issues nothing new: no one is left without a login
    by_label(at.button, "Выдать доступ группе и напечатать памятки").click().run()
    assert "Новых реквизитов не понадобилось" in texts(at)


def test_a_students_address_is_validated_and_kept(run_as, cw):
    at = run_as(cw.users["teacher"], MY_GROUP)
    next(r for r in at.radio if r.key == "my_group_student_action").set_value("Изменить данные").run()
    email = next(t for t in at.text_input if t.label == "Эл. почта студента")
    email.input("не адрес")
    next(b for b in at.button if b.label == "Сохранить").click().run()
    assert any("почт" in e.value for e in at.error), [e.value for e in at.error]
    email = next(t for t in at.text_input if t.label == "Эл. почта студента")
    email.input("Abramov@Example.ru ")
    next(b for b in at.button if b.label == "Сохранить").click().run()
    assert "Данные студента сохранены." in [s.value for s in at.success]
    with Session(cw.engine) as s:
        assert s.get(Student, cw.student_ids[0]).email == "abramov@example.ru"


def test_an_announcement_is_posted_queued_and_listed(run_as, cw):
    with Session(cw.engine) as s:
        guardian = s.exec(select(Guardian).where(Guardian.user_id == cw.users["guardian"])).one()
        guardian.email = "abramova@example.ru"
        s.add(guardian)
        s.commit()
    at = run_as(cw.users["teacher"], MY_GROUP)
    next(b for b in at.button if b.label == "Отправить объявление").click().run()
    assert "Укажите тему объявления." in [e.value for e in at.error]
    by_label(at.text_input, "Тема").input("Собрание")
    next(t for t in at.text_area if t.label == "Текст").input("В пятницу в 18:00, ауд. 204.")
    next(b for b in at.button if b.label == "Отправить объявление").click().run()
    assert "Объявление опубликовано; писем в очереди на отправку: 1." in [s.value for s in at.success]
    assert any("Собрание" in e.label for e in at.expander)
    with Session(cw.engine) as s:
        rows = s.execute(
            text("SELECT kind, to_address FROM notice WHERE college_id = :c"), {"c": cw.college_id}
        ).all()
    assert [tuple(r) for r in rows] == [("announcement", "abramova@example.ru")]
