"""Importing reference data: all or nothing, every error with its row, upsert by natural keys."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from app.errors import AccessDenied
from app.imports.readers import MAX_BYTES, MAX_ROWS
from app.models import (
    CurriculumItem,
    Guardian,
    Module,
    PlanTopic,
    Student,
    StudentGuardian,
    StudyGroup,
    Subject,
    Teacher,
    TimetableSlot,
    UserAccount,
)
from app.services.accounts import authenticate
from tests.imports.helpers import audit_events, count, csv_bytes, xlsx

STUDENT_HEADER = ["Группа", "Фамилия", "Имя", "Отчество", "Дата рождения", "Подгруппа"]
STUDENTS = [
    ["ИСП-11", "Ёлкина", "Дарья", "Андреевна", date(2008, 3, 14), 1],
    ["ИСП-11", "Жуков", "Максим", "", date(2007, 11, 2), 2],
    ["ИСП-11", "Зайцева", "Ольга", "Игоревна", date(2008, 1, 30), None],
]


def _students(world) -> set[tuple[object, ...]]:
    with Session(world.engine) as s:
        rows = s.exec(select(Student).where(Student.college_id == world.college_id))
        return {
            (r.last_name, r.first_name, r.middle_name, r.birth_date, r.subgroup, r.enrolled_on) for r in rows
        }


FORMATS = {
    "xlsx": lambda rows: xlsx(rows),
    "utf8-semicolon": lambda rows: csv_bytes(rows, delimiter=";"),
    "utf8-bom-comma": lambda rows: csv_bytes(rows, delimiter=",", bom=True),
    "cp1251-comma": lambda rows: csv_bytes(rows, delimiter=",", encoding="cp1251"),
}


def test_xlsx_and_csv_in_either_encoding_give_the_same_result(engine, do_import):
    from tests.factories import make_world

    results = {}
    for name, build in FORMATS.items():
        world = make_world(engine)
        result = do_import(world, "students", build([STUDENT_HEADER, *STUDENTS]), f"s.{name}")
        assert result.ok, result.errors
        assert (result.added, result.changed, result.unchanged) == (3, 0, 0)
        results[name] = _students(world)
    assert len({frozenset(r) for r in results.values()}) == 1
    assert (
        "Жуков",
        "Максим",
        "",
        date(2007, 11, 2),
        2,
        date(world.today.year - (world.today.month < 9), 9, 1),
    ) in (results["xlsx"])


def test_reimport_changes_nothing_and_a_changed_cell_is_one_change(world, do_import):
    data = xlsx([STUDENT_HEADER, *STUDENTS])
    assert do_import(world, "students", data).added == 3
    for build in FORMATS.values():
        again = do_import(world, "students", build([STUDENT_HEADER, *STUDENTS]))
        assert (again.added, again.changed, again.unchanged) == (0, 0, 3), again.errors
    changed = [row[:] for row in STUDENTS]
    changed[1][5] = 1
    result = do_import(world, "students", xlsx([STUDENT_HEADER, *changed]))
    assert (result.added, result.changed, result.unchanged) == (0, 1, 2)
    assert "добавлено 0, изменено 1, без изменений 2" in result.summary()


def test_headers_are_matched_loosely_and_in_any_order(world, do_import):
    header = ["  дата РОЖДЕНИЯ (ДД.ММ.ГГГГ) ", "ФАМИЛИЯ", "имя", "группа*", "Лишний столбец"]
    rows = [[date(2008, 5, 1), "Кротов", "Ян", "исп-11", "что угодно"]]
    result = do_import(world, "students", xlsx([header, *rows], start_row=2))
    assert result.ok, result.errors
    assert result.added == 1


def test_accepted_import_is_audited_with_counts(world, do_import, engine):
    do_import(world, "students", xlsx([STUDENT_HEADER, *STUDENTS]), "список.xlsx")
    [event] = audit_events(engine, world.college_id, "import.students")
    assert event.outcome == "accepted" and event.actor_user_id == world.users["officer"]
    assert event.details["added"] == 3 and event.details["file"] == "список.xlsx"
    assert len(event.details["sha256"]) == 64


def test_only_the_officer_imports(world, do_import, engine):
    with pytest.raises(AccessDenied):
        do_import(world, "students", xlsx([STUDENT_HEADER, *STUDENTS]), who="teacher")
    assert count(engine, Student, college_id=world.college_id) == 5
    [event] = audit_events(engine, world.college_id, "import.students")
    assert event.outcome == "refused"


# --------------------------------------------------------------------------- bad files

BAD_FILES = {
    "undecodable": (
        "students",
        "Группа;Фамилия;Имя;Дата рождения\nИСП-11;Кротов;Ян;01.05.2008\n".encode("utf-16"),
        None,
        "UTF-16",
    ),
    "binary": ("students", bytes(range(256)) * 4, None, "не в кодировке UTF-8 и не в Windows-1251"),
    "koi8": (
        "students",
        "Группа;Фамилия;Имя;Дата рождения\nИСП-11;Кротов;Ян;01.05.2008\n".encode("koi8-r"),
        1,
        "не найдено ни одного знакомого столбца",
    ),
    "empty": ("students", b"", None, "Файл пустой"),
    "blank-lines": ("students", b"\r\n\r\n  \r\n", None, "Файл пустой"),
    "empty-xlsx": ("students", xlsx([]), None, "Файл пустой"),
    "header-only": ("students", csv_bytes([STUDENT_HEADER]), None, "только строка заголовка"),
    "header-only-xlsx": ("students", xlsx([STUDENT_HEADER]), None, "только строка заголовка"),
    "missing-column": (
        "students",
        csv_bytes([["Группа", "Фамилия", "Дата рождения"], ["ИСП-11", "Кротов", "01.05.2008"]]),
        1,
        "Нет обязательного столбца «Имя»",
    ),
    "doubled-column": (
        "students",
        csv_bytes([[*STUDENT_HEADER, "Имя"], ["ИСП-11", "Кротов", "Ян", "", "01.05.2008", "1", "Ян"]]),
        1,
        "встречается в заголовке дважды",
    ),
    "unknown-group": (
        "students",
        csv_bytes([STUDENT_HEADER, ["ЭКО-99", "Кротов", "Ян", "", "01.05.2008", "1"]]),
        2,
        "Группа «ЭКО-99» не найдена",
    ),
    "invalid-date": (
        "students",
        csv_bytes([STUDENT_HEADER, ["ИСП-11", "Кротов", "Ян", "", "31.02.2008", "1"]]),
        2,
        "Даты «31.02.2008» не существует",
    ),
    "not-a-date": (
        "students",
        csv_bytes([STUDENT_HEADER, ["ИСП-11", "Кротов", "Ян", "", "весной", "1"]]),
        2,
        "— не дата: укажите дату в формате ДД.ММ.ГГГГ",
    ),
    "empty-required": (
        "students",
        csv_bytes([STUDENT_HEADER, ["ИСП-11", "", "Ян", "", "01.05.2008", "1"]]),
        2,
        "Не заполнено обязательное поле «Фамилия»",
    ),
    "out-of-range": (
        "students",
        csv_bytes([STUDENT_HEADER, ["ИСП-11", "Кротов", "Ян", "", "01.05.2008", "3"]]),
        2,
        "Число 3 вне допустимого диапазона: от 1 до 2",
    ),
    "duplicate-key": (
        "students",
        csv_bytes(
            [
                STUDENT_HEADER,
                ["ИСП-11", "Кротов", "Ян", "", "01.05.2008", "1"],
                ["ИСП-11", "Кротов", "Ян", "", "01.05.2008", "2"],
            ]
        ),
        3,
        "уже есть в строке 2",
    ),
    "formula-as-name": (
        "students",
        xlsx([STUDENT_HEADER, ["ИСП-11", '=HYPERLINK("http://x")', "Ян", "", date(2008, 5, 1), 1]]),
        2,
        "не похоже на фамилию",
    ),
    "unknown-kind": (
        "subjects",
        csv_bytes([["Код", "Название", "Вид"], ["ОП.09", "Экономика", "Факультатив"]]),
        2,
        "Неизвестное значение вида «Факультатив»",
    ),
    "unknown-form": (
        "curriculum",
        csv_bytes(
            [
                ["Группа", "Код", "Семестр", "Часов", "Форма аттестации"],
                ["ИСП-11", "ОП.01", "1", "72", "Реферат"],
            ]
        ),
        2,
        "Неизвестное значение формы аттестации «Реферат»",
    ),
    "unknown-weekday": (
        "timetable",
        csv_bytes(
            [
                ["Группа", "День недели", "Пара", "Код", "Преподаватель", "Действует с", "Действует по"],
                [
                    "ИСП-11",
                    "Воскресенье",
                    "1",
                    "ОП.01",
                    "Соколова Елена Викторовна",
                    "01.09.2025",
                    "28.12.2025",
                ],
            ]
        ),
        2,
        "В воскресенье занятий нет",
    ),
    "unknown-teacher": (
        "curriculum",
        csv_bytes(
            [
                ["Группа", "Код", "Семестр", "Часов", "Преподаватель"],
                ["ИСП-11", "ОП.01", "1", "72", "Петренко П. П."],
            ]
        ),
        2,
        "Преподаватель «Петренко П. П.» не найден",
    ),
    "unknown-subject": (
        "curriculum",
        csv_bytes([["Группа", "Код", "Семестр", "Часов"], ["ИСП-11", "ОП.77", "1", "72"]]),
        2,
        "Дисциплина с кодом «ОП.77» не найдена",
    ),
    "old-xls": (
        "students",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        None,
        "(.xls) не поддерживается",
    ),
    "broken-xlsx": ("students", b"PK\x03\x04" + b"garbage" * 50, None, "не открывается как книга Excel"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_are_refused_with_the_right_message_and_nothing_written(case, world, do_import, engine):
    kind, data, row, message = BAD_FILES[case]
    before = {
        m.__name__: count(engine, m, college_id=world.college_id) for m in (Student, Subject, CurriculumItem)
    }
    result = do_import(world, kind, data, "bad.csv")
    assert not result.ok
    assert any(message in e.message for e in result.errors), result.errors
    assert any(e.row == row for e in result.errors if message in e.message)
    assert (result.added, result.changed, result.unchanged) == (0, 0, 0)
    assert "Ничего не записано" in result.summary()
    after = {
        m.__name__: count(engine, m, college_id=world.college_id) for m in (Student, Subject, CurriculumItem)
    }
    assert after == before
    [event] = audit_events(engine, world.college_id, f"import.{kind}")
    assert event.outcome == "refused" and event.details["errors"] == len(result.errors)


def test_every_error_of_a_file_is_listed_and_none_of_its_good_rows_written(world, do_import, engine):
    rows = [
        STUDENT_HEADER,
        ["ИСП-11", "Кротов", "Ян", "", "01.05.2008", "1"],  # good
        ["ЭКО-99", "Лунев", "Ян", "", "01.05.2008", "1"],  # unknown group
        ["ИСП-11", "Мухин", "", "", "32.01.2008", "5"],  # three errors in one row
        ["ИСП-11", "Кротов", "Ян", "", "01.05.2008", "2"],  # repeats row 2
    ]
    result = do_import(world, "students", csv_bytes(rows))
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "Группа"),
        (4, "Имя"),
        (4, "Дата рождения"),
        (4, "Подгруппа"),
        (5, "Группа"),
    ]
    assert count(engine, Student, college_id=world.college_id) == 5


def test_a_student_already_in_another_group_is_refused(world, do_import, engine):
    with Session(engine) as s:
        group = s.get(StudyGroup, world.group_id)
        assert group is not None
        s.add(
            StudyGroup(
                college_id=world.college_id,
                speciality_id=group.speciality_id,
                name="ИСП-12",
                admission_year=2024,
            )
        )
        s.commit()
    assert do_import(world, "students", xlsx([STUDENT_HEADER, *STUDENTS])).ok
    moved = [["ИСП-12", "Жуков", "Максим", "", date(2007, 11, 2), 2]]
    result = do_import(world, "students", xlsx([STUDENT_HEADER, *moved]))
    [error] = result.errors
    assert error.row == 2 and error.column == "Группа"
    assert "уже числится в группе «ИСП-11»" in error.message


def test_a_file_over_the_size_limit_is_refused_before_parsing(world, do_import):
    data = b"x" * (MAX_BYTES + 1)
    result = do_import(world, "students", data, "huge.csv")
    [error] = result.errors
    assert "больше 20 МБ" in error.message


def test_a_file_over_the_row_limit_is_refused(world, do_import, engine):
    row = ["ИСП-11", "Кротов", "Ян", "", "01.05.2008", "1"]
    data = csv_bytes([STUDENT_HEADER, *([row] * (MAX_ROWS + 1))])
    assert len(data) < MAX_BYTES
    result = do_import(world, "students", data, "many.csv")
    [error] = result.errors
    assert "больше 50\u00a0000 строк" in error.message
    assert count(engine, Student, college_id=world.college_id) == 5


# --------------------------------------------------------------------------- the other kinds


def test_teachers_with_logins_get_one_time_passwords_once(world, do_import, engine):
    header = ["Фамилия", "Имя", "Отчество", "Должность", "Логин"]
    rows = [
        ["Петренко", "Анна", "Львовна", "мастер п/о", "A.Petrenko"],
        ["Соколова", "Елена", "Викторовна", "", ""],  # exists already, no account change
    ]
    result = do_import(world, "teachers", xlsx([header, *rows]))
    assert result.ok, result.errors
    assert (result.added, result.changed, result.unchanged) == (1, 0, 1)
    [cred] = result.credentials
    assert cred.login == "a.petrenko" and cred.full_name == "Петренко Анна Львовна"
    with Session(engine) as s:
        actor = authenticate("a.petrenko", cred.password, session=s)
        assert actor.teacher_id is not None
        user = s.get(UserAccount, actor.user_id)
        assert user is not None and user.must_change_password and user.password_expires_at is not None
    again = do_import(world, "teachers", xlsx([header, *rows]))
    assert (again.added, again.changed, again.unchanged, again.credentials) == (0, 0, 2, [])
    taken = do_import(world, "teachers", xlsx([header, ["Новиков", "Ян", "", "", world.logins["deputy"]]]))
    assert "уже занят" in taken.errors[0].message
    assert count(engine, Teacher, college_id=world.college_id) == 3


def test_groups_create_their_speciality_and_find_the_curator(world, do_import, engine):
    header = ["Группа", "Код специальности", "Специальность", "Год набора", "Куратор"]
    rows = [
        # Excel turns «15.02.08» typed into a cell into the date 15.02.2008: the code is read back.
        ["ТМ-21", date(2008, 2, 15), "Технология машиностроения", 2024, "Кузнецов О. П."],
        ["ИСП-11", "09.02.07", "", 2025, "Соколова Елена Викторовна"],
    ]
    result = do_import(world, "groups", xlsx([header, *rows]))
    assert result.ok, result.errors
    assert result.added == 1 and result.changed + result.unchanged == 1
    assert result.notes == ["Создана специальность 15.02.08 «Технология машиностроения»."]
    with Session(engine) as s:
        group = s.exec(
            select(StudyGroup).where(StudyGroup.college_id == world.college_id, StudyGroup.name == "ТМ-21")
        ).one()
        assert group.curator_teacher_id == world.other_teacher_id
    unknown = do_import(world, "groups", csv_bytes([header[:4], ["ЭЛ-11", "13.02.11", "", "2024"]]))
    assert "Специальность 13.02.11 не найдена" in unknown.errors[0].message


def test_guardians_link_to_children_and_reimport_is_unchanged(world, do_import, engine):
    header = [
        "Фамилия",
        "Имя",
        "Отчество",
        "Телефон",
        "Email",
        "Группа студента",
        "Студент",
        "Кем приходится",
    ]
    rows = [
        [
            "Волкова",
            "Ирина",
            "Павловна",
            "8 (912) 345-67-89",
            "volkova@mail.ru",
            "ИСП-11",
            "Волков Денис Андреевич",
            "мать",
        ],
        [
            "Волкова",
            "Ирина",
            "Павловна",
            "+7 912 345 67 89",
            "volkova@mail.ru",
            "ИСП-11",
            "Белова Анна Игоревна",
            "опекун",
        ],
    ]
    result = do_import(world, "guardians", csv_bytes(rows and [header, *rows]))
    assert result.ok, result.errors
    assert result.added == 2
    with Session(engine) as s:
        [guardian] = s.exec(
            select(Guardian).where(Guardian.college_id == world.college_id, Guardian.last_name == "Волкова")
        )
        assert guardian.phone == "+7 912 345-67-89"
        links = s.exec(select(StudentGuardian).where(StudentGuardian.guardian_id == guardian.id)).all()
        assert {link.relation for link in links} == {"мать", "опекун"}
    again = do_import(world, "guardians", xlsx([header, *rows]))
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2)
    stranger = do_import(world, "guardians", csv_bytes([header, [*rows[0][:6], "Иванов Иван Иванович", ""]]))
    assert "нет студента «Иванов Иван Иванович»" in stranger.errors[0].message


def test_subjects_curriculum_ktp_and_timetable(world, do_import, engine):
    subjects = [
        ["Код", "Название", "Вид", "Модуль", "Название модуля", "Код специальности"],
        ["МДК.01.01", "Разработка программных модулей", "МДК", "ПМ.01", "Разработка модулей ПО", "09.02.07"],
        ["УП.01", "Учебная практика", "УП", "ПМ.01", "", "09.02.07"],
        ["ОП.01", "Операционные системы и среды", "Дисциплина", "", "", ""],
    ]
    result = do_import(world, "subjects", xlsx(subjects))
    assert result.ok, result.errors
    assert (result.added, result.changed, result.unchanged) == (2, 1, 0)
    assert count(engine, Module, college_id=world.college_id) == 1

    sem = world.semester
    curriculum = [
        ["Группа", "Код дисциплины", "Семестр", "Часов", "Форма аттестации", "Преподаватель"],
        ["ИСП-11", "МДК.01.01", sem, 72, "Дифференцированный зачет", "Кузнецов Олег Петрович"],
        ["ИСП-11", "ОП.01", sem, 80, "Экзамен", "Соколова Е. В."],
    ]
    result = do_import(world, "curriculum", csv_bytes(curriculum, delimiter=",", encoding="cp1251"))
    assert result.ok, result.errors
    assert (result.added, result.changed) == (1, 1)

    ktp = [
        ["Группа", "Код", "Семестр", "№", "Тема", "Часов", "Домашнее задание"],
        ["ИСП-11", "МДК.01.01", sem, 1, "Жизненный цикл ПО", 2, "-повторить конспект"],
        ["ИСП-11", "МДК.01.01", sem, 2, "=СУММ(A1:A2)", "", "@см. §2"],
        ["ИСП-11", "ОП.01", sem, 1, "Введение в ОС", 2, ""],
    ]
    result = do_import(world, "ktp", xlsx(ktp))
    assert result.ok, result.errors
    assert (result.added, result.changed, result.unchanged) == (2, 0, 1)
    with Session(engine) as s:
        titles = set(
            s.exec(select(PlanTopic.title, PlanTopic.homework).where(PlanTopic.title.startswith("=")))
        )  # type: ignore[attr-defined]
    assert titles == {("=СУММ(A1:A2)", "@см. §2")}  # a formula is kept as the text typed, never evaluated
    missing = do_import(world, "ktp", csv_bytes([ktp[0], ["ИСП-11", "ОГСЭ.04", sem + 1, 1, "Тема", 2, ""]]))
    assert "нет «ОГСЭ.04»" in missing.errors[0].message

    timetable = [
        [
            "Группа",
            "Подгруппа",
            "День недели",
            "Пара",
            "Код",
            "Преподаватель",
            "Аудитория",
            "Действует с",
            "Действует по",
        ],
        ["ИСП-11", "", "Вт", 2, "МДК.01.01", "Кузнецов Олег Петрович", 305, "01.09.2025", "28.12.2025"],
        ["ИСП-11", 1, "среда", 3, "УП.01", "Кузнецов О.П.", "Мастерская", "01.09.2025", "28.12.2025"],
    ]
    result = do_import(world, "timetable", xlsx(timetable))
    assert result.ok, result.errors
    assert result.added == 2
    with Session(engine) as s:
        rooms = set(s.exec(select(TimetableSlot.room).where(TimetableSlot.college_id == world.college_id)))
    assert "305" in rooms
    backwards = [row[:] for row in timetable[:2]]
    backwards[1][8] = "01.08.2025"
    result = do_import(world, "timetable", xlsx(backwards))
    assert result.errors[0].column == "Действует по" and "раньше" in result.errors[0].message
    assert do_import(world, "timetable", xlsx(timetable)).unchanged == 2
    # числитель / знаменатель: two subjects at one pair in alternate weeks
    alternating = [
        [*timetable[0], "Неделя"],
        [
            "ИСП-11",
            "",
            "Пт",
            4,
            "МДК.01.01",
            "Кузнецов Олег Петрович",
            305,
            "01.09.2025",
            "28.12.2025",
            "числитель",
        ],
        [
            "ИСП-11",
            "",
            "Пт",
            4,
            "УП.01",
            "Кузнецов Олег Петрович",
            305,
            "01.09.2025",
            "28.12.2025",
            "знаменатель",
        ],
    ]
    result = do_import(world, "timetable", xlsx(alternating))
    assert result.ok and result.added == 2, result.errors
    with Session(engine) as s:
        weeks = set(
            s.exec(
                select(TimetableSlot.week_parity).where(
                    TimetableSlot.college_id == world.college_id, TimetableSlot.weekday == 5
                )
            )
        )
    assert weeks == {1, 2}
    wrong = [alternating[0], [*alternating[1][:-1], "иногда"]]
    assert "числитель" in do_import(world, "timetable", xlsx(wrong)).errors[0].message


def test_a_discipline_cannot_belong_to_a_module(world, do_import):
    rows = [
        ["Код", "Название", "Вид", "Модуль", "Код специальности"],
        ["ОП.05", "Экономика", "Дисциплина", "ПМ.01", "09.02.07"],
    ]
    result = do_import(world, "subjects", csv_bytes(rows))
    assert result.errors[0].column == "Модуль"


def test_the_curriculum_carries_year_marks_and_the_gia(world, do_import, engine):
    subjects = [["Код", "Название", "Вид"], ["ГИА", "Защита выпускной квалификационной работы", "ГИА"]]
    assert do_import(world, "subjects", xlsx(subjects)).ok
    sem = world.semester
    curriculum = [
        ["Группа", "Код", "Семестр", "Часов", "Форма аттестации", "Годовая отметка"],
        ["ИСП-11", "ОП.01", sem, 72, "Экзамен", "да"],
        ["ИСП-11", "ГИА", sem, 216, "Государственная итоговая аттестация", ""],
    ]
    result = do_import(world, "curriculum", xlsx(curriculum))
    assert result.ok, result.errors
    with Session(engine) as s:
        rows = {
            code: (form, year)
            for code, form, year in s.exec(
                select(Subject.code, CurriculumItem.attestation_form, CurriculumItem.year_mark)
                .join(Subject, Subject.id == CurriculumItem.subject_id)  # type: ignore[arg-type]
                .where(CurriculumItem.study_group_id == world.group_id, CurriculumItem.semester == sem)
            )
        }
        kind = s.exec(
            select(Subject.kind).where(Subject.college_id == world.college_id, Subject.code == "ГИА")
        ).one()
    assert rows["ОП.01"] == ("exam", True) and rows["ГИА"] == ("gia", False) and kind == "gia"
    wrong = do_import(
        world, "curriculum", xlsx([curriculum[0], ["ИСП-11", "ОП.01", sem, 72, "Экзамен", "может"]])
    )
    assert "«да», «нет»" in wrong.errors[0].message
