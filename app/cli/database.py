"""The database and what fills it: `ejournal db`, `demo`, `lessons` and `etl`."""

from __future__ import annotations

import argparse
import sys
from datetime import date


def cmd_db_url(_: argparse.Namespace) -> None:
    from app.db import database_url

    print(database_url())


def cmd_db_migrate(_: argparse.Namespace) -> None:
    from app.db import database_url
    from app.migrate import upgrade

    upgrade(database_url())
    print("Схема базы данных обновлена.")


def cmd_demo_seed(args: argparse.Namespace) -> None:
    from app.demo.seed import seed_demo

    report = seed_demo(seed=args.seed, colleges=args.colleges, today=args.today)
    print(report)


def cmd_lessons_materialize(args: argparse.Namespace) -> None:
    from sqlmodel import Session, select

    from app.db import get_engine
    from app.models import College
    from app.services.journal import college_today, materialize_lessons

    with Session(get_engine()) as session:
        day = args.date or college_today(session=session)
        total = 0
        for college_id in session.exec(select(College.id)):
            assert college_id is not None
            total += materialize_lessons(college_id, day, session=session)
    print(f"Создано занятий по расписанию на {day:%d.%m.%Y}: {total}")


def cmd_etl_run(args: argparse.Namespace) -> None:
    from etl.load import DataTestsFailed, EtlBusy, run_etl

    try:
        report = run_etl(full=args.full)
    except (EtlBusy, DataTestsFailed) as exc:
        sys.exit(str(exc))
    print(report.summary())


def cmd_etl_watch(args: argparse.Namespace) -> None:
    from etl.watch import watch

    watch(interval=args.interval)


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = sub.add_parser("db", help="база данных").add_subparsers(dest="db_command", required=True)
    db.add_parser("url", help="адрес базы данных (для psql)").set_defaults(func=cmd_db_url)
    db.add_parser("migrate", help="создать или обновить схему").set_defaults(func=cmd_db_migrate)

    demo = sub.add_parser("demo", help="демонстрационный колледж").add_subparsers(
        dest="demo_command", required=True
    )
    seed = demo.add_parser("seed", help="пересоздать базу с демонстрационными данными")
    seed.add_argument("--seed", type=int, default=2024, help="зерно генератора (по умолчанию 2024)")
    seed.add_argument(
        "--colleges", type=int, default=1, help="число колледжей (регион для нагрузочных тестов)"
    )
    seed.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="считать сегодняшним днём (ГГГГ-ММ-ДД); по умолчанию — дата по часам сервера",
    )
    seed.set_defaults(func=cmd_demo_seed)

    lessons = sub.add_parser("lessons", help="занятия").add_subparsers(dest="lessons_command", required=True)
    mat = lessons.add_parser("materialize", help="создать занятия дня по расписанию")
    mat.add_argument("--date", type=date.fromisoformat, default=None)
    mat.set_defaults(func=cmd_lessons_materialize)

    etl = sub.add_parser("etl", help="хранилище аналитики (DuckDB)").add_subparsers(
        dest="etl_command", required=True
    )
    run = etl.add_parser("run", help="загрузить изменения из журнала (инкрементально)")
    run.add_argument("--full", action="store_true", help="перестроить хранилище целиком")
    run.set_defaults(func=cmd_etl_run)
    w = etl.add_parser("watch", help="обновлять хранилище в цикле")
    w.add_argument("--interval", type=int, default=None, help="секунд между загрузками")
    w.set_defaults(func=cmd_etl_watch)
