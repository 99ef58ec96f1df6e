"""`ejournal import KIND FILE`, `ejournal import history FILE`, `ejournal import template KIND FILE`."""

from __future__ import annotations

from sqlmodel import Session, select

from app.imports.readers import read_path
from app.models import Mark, Student
from tests.imports.helpers import audit_events, count, csv_bytes
from tests.imports.test_history import HEADER as HISTORY_HEADER
from tests.imports.test_history import past_day
from tests.test_cli import run_cli

HEADER = ["Группа", "Фамилия", "Имя", "Отчество", "Дата рождения"]


def test_import_prints_counts_and_every_error(world, tmp_path, engine):
    good = tmp_path / "students.csv"
    good.write_bytes(csv_bytes([HEADER, ["ИСП-11", "Кротов", "Ян", "", "01.05.2008"]], encoding="cp1251"))
    done = run_cli("import", "students", str(good), "--college-id", str(world.college_id))
    assert done.returncode == 0, done.stderr
    assert "Windows-1251" in done.stdout and "добавлено 1, изменено 0, без изменений 0" in done.stdout
    assert count(engine, Student, college_id=world.college_id) == 6

    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_bytes([HEADER, ["ЭКО-99", "Лунев", "Ян", "", "01.05.2008"], ["ИСП-11", "", "Ян", "", ""]])
    )
    done = run_cli("import", "students", str(bad), "--college-id", str(world.college_id))
    assert done.returncode == 1
    assert "Файл не импортирован: ошибок 3" in done.stderr
    assert "строка 2, «Группа»: Группа «ЭКО-99» не найдена" in done.stderr
    assert "строка 3, «Фамилия»" in done.stderr and "строка 3, «Дата рождения»" in done.stderr
    events = audit_events(engine, world.college_id, "import.students")
    assert [e.outcome for e in events] == ["accepted", "refused"]
    assert events[0].actor_user_id is None  # the administrator on the command line


def test_teacher_accounts_print_their_one_time_passwords(world, tmp_path):
    path = tmp_path / "teachers.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["Фамилия", "Имя", "Отчество", "Логин"],
                ["Орлова", "Вера", "Ивановна", f"v.orlova{world.college_id}"],
            ]
        )
    )
    done = run_cli("import", "teachers", str(path), "--college-id", str(world.college_id))
    assert done.returncode == 0, done.stderr
    assert "временными паролями" in done.stdout and f"v.orlova{world.college_id}" in done.stdout


def test_template_command_writes_an_xlsx(tmp_path):
    path = tmp_path / "t.xlsx"
    done = run_cli("import", "template", "timetable", str(path))
    assert done.returncode == 0, done.stderr
    assert read_path(path).headers[:3] == ("Группа", "Подгруппа", "День недели")


def test_history_runs_from_the_command_line_as_the_officer(world, tmp_path, engine):
    day = past_day(world, 1)
    path = tmp_path / "history.csv"
    path.write_bytes(
        csv_bytes(
            [
                HISTORY_HEADER,
                [
                    day,
                    3,
                    "ИСП-11",
                    "ОП.01",
                    "Соколова Елена Викторовна",
                    "Абрамов Илья Сергеевич",
                    "4",
                    "",
                    "",
                ],
            ]
        )
    )
    done = run_cli("import", "history", str(path), "--college-id", str(world.college_id))
    assert done.returncode == 0, done.stderr
    assert "создано занятий 1, отметок 1" in done.stdout
    with Session(engine) as s:
        mark = s.exec(select(Mark).where(Mark.college_id == world.college_id)).one()
    assert mark.value == "4" and mark.created_by_user_id == world.users["officer"]
    [event] = audit_events(engine, world.college_id, "import.history")
    assert event.actor_user_id == world.users["officer"] and event.details["marks"] == 1
    done = run_cli("import", "history", str(tmp_path / "missing.csv"), "--college-id", str(world.college_id))
    assert done.returncode == 1 and "не найден" in done.stderr
