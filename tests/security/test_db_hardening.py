"""The penetration test's database findings (migration 0011, docs/security.md): rules the app role
cannot switch off, stamps it cannot backdate, columns the ETL role cannot read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import psycopg
import pytest
from sqlmodel import Session, select

from app import db
from app.audit_chain import seal_all, verify_chain
from app.db import APP_ROLE, ETL_ROLE, with_user
from app.domain import WorkKind
from app.models import Mark
from app.services import corrections
from app.services.journal import LessonEntry, MarkInput, correct_mark, save_lesson
from app.settings import Settings
from etl import sources
from etl.load import run_etl
from tests.etl.helpers import filled_on
from tests.factories import World, make_world

Refused = (psycopg.errors.RaiseException, psycopg.errors.InsufficientPrivilege)
SEARCH_PATH = "search_path=pg_catalog, public, pg_temp"
REASON = "ошибка ввода, служебная записка"


@pytest.fixture
def app_conn(database_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(with_user(database_url, APP_ROLE), autocommit=True) as conn:
        yield conn


@pytest.fixture
def etl_conn(database_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(with_user(database_url, ETL_ROLE), autocommit=True) as conn:
        yield conn


def refused(conn: psycopg.Connection, sql: str, params: tuple = ()) -> str:
    with pytest.raises(Refused) as info:
        conn.execute(sql, params)
    return str(info.value)


def oral_mark(world: World, lesson_id: int, value: str = "5", student: int = 0) -> tuple[str, tuple]:
    return (
        "INSERT INTO mark (college_id, lesson_id, student_id, value, work_kind, comment, created_by_user_id) "
        "VALUES (%s, %s, %s, %s, 'oral', '', %s) RETURNING id",
        (world.college_id, lesson_id, world.student_ids[student], value, world.users["teacher"]),
    )


def owners_mark(world: World, lesson_id: int, value: str = "3") -> int:
    """A mark the owner's history path wrote (a past lesson's, say)."""
    with psycopg.connect(db.database_url()) as owner:
        row = owner.execute(*oral_mark(world, lesson_id, value)).fetchone()
    assert row is not None
    return int(row[0])


def current_value(conn: psycopg.Connection, mark_id: int) -> str:
    row = conn.execute("SELECT value FROM mark_current WHERE original_id = %s", (mark_id,)).fetchone()
    assert row is not None
    return str(row[0])


# --------------------------------------------------------------------------- finding 1: a temporary pg_roles


def test_the_app_and_etl_roles_create_no_objects(database_url, app_conn, etl_conn):
    assert "permission denied" in refused(
        app_conn, "CREATE TEMP VIEW pg_roles AS SELECT 'ejournal_app'::name AS rolname, true AS rolsuper"
    )
    assert "permission denied" in refused(app_conn, "CREATE TEMP TABLE scratch (x int)")
    assert "permission denied" in refused(app_conn, "CREATE VIEW public.pg_roles AS SELECT 1 AS x")
    assert "permission denied" in refused(etl_conn, "CREATE TEMP TABLE scratch (x int)")
    with psycopg.connect(database_url) as owner:
        for role in (APP_ROLE, ETL_ROLE, "public"):
            privileges = owner.execute(
                "SELECT has_database_privilege(%s, current_database(), 'TEMPORARY'), "
                "has_schema_privilege(%s, 'public', 'CREATE')",
                (role, role),
            ).fetchone()
            assert privileges == (False, False), role


def test_every_function_of_the_schema_pins_its_search_path(database_url):
    with psycopg.connect(database_url) as owner:
        rows = owner.execute(
            """
            SELECT p.proname, p.proconfig, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p') AND NOT EXISTS (
                SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
            """
        ).fetchall()
    names = {r[0] for r in rows}
    assert {"ejournal_rules_apply", "ejournal_lesson_day_rule", "audit_event_chain"} <= names
    for name, config, source in rows:
        assert SEARCH_PATH in (config or []), name
        # The catalog is named qualified, never through the search_path. ejournal_grant_roles runs
        # as the owner only; 0007 and 0010 define its body; the merge revision settles it.
        if name != "ejournal_grant_roles":
            assert not re.search(r"(?<!pg_catalog\.)\bpg_(roles|tables|class|namespace)\b", source), name


@pytest.fixture
def temp_allowed(new_database) -> Iterator[tuple[str, World]]:
    """A database of its own where the app role may create temporary objects again (as it could
    before 0011): the rules must hold even then."""
    url = new_database("ejournal_hardening")
    engine = db.make_engine(url)
    world = make_world(engine)
    with psycopg.connect(url) as owner:
        owner.execute(
            f"GRANT TEMPORARY ON DATABASE {psycopg.conninfo.conninfo_to_dict(url)['dbname']} TO {APP_ROLE}"
        )
    yield url, world
    engine.dispose()


def test_a_temporary_shadow_of_the_catalog_switches_no_rule_off(temp_allowed):
    url, world = temp_allowed
    past = world.lesson(2, **filled_on(world, 2))
    with psycopg.connect(with_user(url, APP_ROLE), autocommit=True) as app:
        # the finding, and its cousins: shadows of pg_tables and of the college's clock
        app.execute("CREATE TEMP VIEW pg_roles AS SELECT 'ejournal_app'::name AS rolname, true AS rolsuper")
        app.execute(
            "CREATE TEMP VIEW pg_tables AS SELECT 'public'::name AS schemaname, 'lesson'::name AS tablename, "
            "'ejournal_app'::name AS tableowner"
        )
        app.execute(
            "CREATE TEMP TABLE college AS SELECT id, 'Pacific/Kiritimati'::text AS timezone, "
            "100 AS checking_deadline_days FROM public.college"
        )
        app.execute("SET search_path = pg_temp, pg_catalog, public")
        assert app.execute("SELECT rolsuper FROM pg_roles").fetchone() == (True,)  # the shadow is there
        assert "задним числом" in refused(app, *oral_mark(world, past))
        assert "прошло" in refused(app, "UPDATE public.lesson SET topic = 'подделка' WHERE id = %s", (past,))
        assert app.execute("SELECT ejournal_rules_apply()").fetchone() == (True,)
    with psycopg.connect(url) as owner:
        assert owner.execute("SELECT topic FROM lesson WHERE id = %s", (past,)).fetchone() == ("Тема",)
        assert owner.execute("SELECT count(*) FROM mark WHERE lesson_id = %s", (past,)).fetchone() == (0,)


# --------------------------------------------------------------------------- finding 2: a correction row


def test_a_correction_row_needs_the_deputy_and_its_audit_entry(app_conn, world):
    lid = world.lesson(0)
    original = app_conn.execute(*oral_mark(world, lid, "3")).fetchone()[0]
    correction = (
        "INSERT INTO mark (college_id, lesson_id, student_id, value, work_kind, comment, created_by_user_id, "
        "corrects_mark_id, correction_reason) VALUES (%s, %s, %s, %s, 'oral', '', %s, %s, %s)"
    )

    def correct(who: str, value: str = "2", *, mark: int = original, student: int = 0, reason: str = REASON):
        params = (world.college_id, lid, world.student_ids[student], value, world.users[who], mark, reason)
        return refused(app_conn, correction, params)

    # the finding: the teacher's own "correction" of 3 into 2
    assert "заместитель директора" in correct("teacher")
    assert "не найдена" in correct("deputy", student=1)  # another student's row
    assert "не найдена" in correct("deputy", mark=original + 10_000)
    assert "совпадает" in correct("deputy", "3")
    assert "причину" in correct("deputy", reason="   ")
    # the deputy's name alone is not enough: the correction must be in the audit log
    assert "журнал аудита" in correct("deputy")
    assert current_value(app_conn, original) == "3"


def test_the_deputy_still_corrects_through_the_service_as_the_app_role(app_engine, app_conn, world):
    past = world.lesson(3, **filled_on(world, 3))
    original = owners_mark(world, past, "3")  # a past lesson's mark: the day rule does not bind corrections
    with Session(app_engine) as s:
        new_id = correct_mark(world.actor("deputy"), original, "2", REASON, session=s)
    assert current_value(app_conn, original) == "2"
    # and a teacher's request approved by the deputy
    with Session(app_engine) as s:
        request_id = corrections.request_correction(
            world.actor("teacher"), new_id, "4", "ошибся строкой в ведомости", session=s
        )
    with Session(app_engine) as s:
        corrections.approve(world.actor("deputy"), request_id, "по служебной записке", session=s)
    assert current_value(app_conn, original) == "4"
    with Session(app_engine) as s:
        seal_all(session=s)  # what `ejournal serve` does every second
        assert verify_chain(session=s).ok


def test_the_service_refuses_the_teacher_and_the_database_would_too(app_engine, world):
    lid = world.lesson(0)
    with Session(app_engine) as s:
        save_lesson(
            world.actor("teacher"),
            lid,
            LessonEntry(work_kind=WorkKind.oral, marks=[MarkInput(world.student_ids[0], "3")]),
            session=s,
        )
        mark = s.exec(select(Mark).where(Mark.lesson_id == lid)).one()
    with Session(app_engine) as s:
        s.add(
            Mark(
                college_id=mark.college_id,
                lesson_id=lid,
                student_id=mark.student_id,
                value="2",
                work_kind=mark.work_kind,
                created_by_user_id=world.users["teacher"],
                corrects_mark_id=mark.id,
                correction_reason=REASON,
            )
        )
        with pytest.raises(Exception, match="заместитель директора"):
            s.commit()


# --------------------------------------------------------------------------- finding 3: the server's time


def stamps(conn: psycopg.Connection, lesson_id: int) -> tuple:
    row = conn.execute(
        "SELECT topic_filled_at, work_filled_at, homework_filled_at, attendance_filled_at FROM lesson "
        "WHERE id = %s",
        (lesson_id,),
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_a_backdated_filled_at_is_replaced_by_the_server_time(app_conn, world):
    lid = world.lesson(2, topic="Тема", topic_filled_at=filled_on(world, 2)["topic_filled_at"])
    lesson_noon = filled_on(world, 2)["homework_filled_at"]
    with app_conn.transaction():
        app_conn.execute(
            "UPDATE lesson SET homework = 'дописано', homework_filled_at = %s WHERE id = %s",
            (lesson_noon, lid),
        )
        now = app_conn.execute("SELECT now()").fetchone()[0]
    topic_at, _work_at, homework_at, _ = stamps(app_conn, lid)
    assert homework_at == now and topic_at == lesson_noon  # late, as it was; the filled topic untouched
    # a field filled without its stamp is stamped all the same
    with app_conn.transaction():
        app_conn.execute("UPDATE lesson SET work_kind = 'oral', work_done = 'Опрос' WHERE id = %s", (lid,))
        now = app_conn.execute("SELECT now()").fetchone()[0]
    assert stamps(app_conn, lid)[1] == now


def test_todays_stamps_are_the_servers_too(app_conn, world):
    lid = world.lesson(0)
    future = datetime.now().astimezone() + timedelta(days=30)
    with app_conn.transaction():
        # a future attendance stamp would keep attendance open after the day
        app_conn.execute(
            "UPDATE lesson SET topic = 'Тема', topic_filled_at = %s, attendance_filled_at = %s WHERE id = %s",
            (future - timedelta(days=60), future, lid),
        )
        now = app_conn.execute("SELECT now()").fetchone()[0]
    assert stamps(app_conn, lid) == (now, None, None, now)


def test_a_mark_is_created_at_the_server_time(app_conn, world):
    lid = world.lesson(0)
    with app_conn.transaction():
        app_conn.execute(
            "INSERT INTO mark (college_id, lesson_id, student_id, value, work_kind, comment, created_by_user_id, "
            "created_at) VALUES (%s, %s, %s, '5', 'oral', '', %s, now() - interval '1 year')",
            (world.college_id, lid, world.student_ids[0], world.users["teacher"]),
        )
        now = app_conn.execute("SELECT now()").fetchone()[0]
    row = app_conn.execute("SELECT created_at FROM mark WHERE lesson_id = %s", (lid,)).fetchone()
    assert row == (now,)


def test_the_audit_log_keeps_the_server_time(app_engine, app_conn, world):
    insert = (
        "INSERT INTO audit_event (college_id, occurred_at, actor_user_id, action, entity, outcome, message) "
        "VALUES (%s, %s, %s, 'lesson.save', 'lesson', 'accepted', '') RETURNING id"
    )
    with app_conn.transaction():
        event = app_conn.execute(
            insert, (world.college_id, datetime(2020, 1, 1).astimezone(), world.users["teacher"])
        ).fetchone()[0]
        now = app_conn.execute("SELECT now()").fetchone()[0]
    assert app_conn.execute("SELECT occurred_at FROM audit_event WHERE id = %s", (event,)).fetchone() == (
        now,
    )
    with Session(app_engine) as s:
        seal_all(session=s)  # what `ejournal serve` does every second
        assert verify_chain(session=s).ok
    # the actor is an existing account (a foreign key since 0001); who really acted, the database
    # cannot know: the app role connects for everyone
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        app_conn.execute(insert, (world.college_id, None, 2_000_000_000))


# --------------------------------------------------------------------------- finding 8: the ETL role


def etl_reads(conn: psycopg.Connection) -> dict[str, set[str]]:
    """Table -> columns that etl/sources.py's queries use, as PostgreSQL itself resolves them."""
    reads: dict[str, set[str]] = {}
    with conn.transaction(force_rollback=True):
        for src in sources.ALL:
            conn.execute(f"CREATE TEMP VIEW etl_source_{src.name} AS {src.select}")
        rows = conn.execute(
            "SELECT table_name, column_name FROM information_schema.view_column_usage "
            "WHERE view_name LIKE 'etl\\_source\\_%' AND table_schema = 'public'"
        ).fetchall()
    for table, column in rows:
        reads.setdefault(table, set()).add(column)
    assert {"lesson", "mark", "attendance", "student"} <= reads.keys()
    return reads


def test_the_etl_role_holds_exactly_what_the_etl_reads(database_url):
    with psycopg.connect(database_url) as owner:
        whole = owner.execute(
            "SELECT table_name FROM information_schema.table_privileges WHERE grantee = %s", (ETL_ROLE,)
        ).fetchall()
        columns = owner.execute(
            "SELECT table_name, column_name, privilege_type FROM information_schema.column_privileges "
            "WHERE grantee = %s AND table_schema = 'public'",
            (ETL_ROLE,),
        ).fetchall()
        reads = etl_reads(owner)
    assert whole == []  # no table-level privilege at all
    granted: dict[str, set[str]] = {}
    for table, column, privilege in columns:
        assert privilege == "SELECT"
        granted.setdefault(table, set()).add(column)
    assert granted == reads


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT phone FROM guardian",
        "SELECT email FROM guardian",
        "SELECT last_name FROM guardian",
        "SELECT birth_date FROM student",
        "SELECT * FROM student",
        "SELECT details FROM audit_event",
        "SELECT count(*) FROM audit_event",
        "SELECT password_hash FROM user_account",
        "SELECT login FROM user_account",
        "SELECT * FROM mark_current",
    ],
)
def test_the_etl_role_is_refused_personal_data_it_does_not_load(etl_conn, sql):
    assert "permission denied" in refused(etl_conn, sql)


def test_every_source_of_the_etl_reads_as_its_role(etl_conn, world):
    for src in sources.ALL:
        etl_conn.execute(f"SELECT * FROM ({src.select}) AS s LIMIT 1")


def test_the_etl_still_loads_as_its_role(world, tmp_path, database_url, etl_conn):
    lid = world.lesson(0)
    with Session(world.engine) as s:
        save_lesson(
            world.actor("teacher"),
            lid,
            LessonEntry(
                topic="Процессы", work_kind=WorkKind.oral, marks=[MarkInput(world.student_ids[1], "5")]
            ),
            session=s,
        )
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    assert db.etl_database_url(settings) == with_user(database_url, ETL_ROLE)
    report = run_etl(full=True, settings=settings)
    assert report.mode == "full" and report.rows_read["mark"] >= 1
    assert etl_conn.execute("SELECT count(*) FROM lesson").fetchone() is not None  # the restore's check


# --------------------------------------------------------------------------- the migration both ways


def test_0011_downgrades_to_the_earlier_rules_and_upgrades_again(new_database):
    from alembic import command

    from app.migrate import alembic_config, upgrade

    url = new_database("ejournal_hardening_down")

    def state() -> tuple | None:
        with psycopg.connect(url) as owner:
            return owner.execute(
                "SELECT has_database_privilege('public', current_database(), 'TEMPORARY'), "
                "has_column_privilege(%s, 'guardian', 'phone', 'SELECT'), "
                "(SELECT proconfig FROM pg_proc WHERE proname = 'ejournal_rules_apply'), "
                "to_regproc('ejournal_restrict_roles') IS NOT NULL, "
                "(SELECT count(*) FROM pg_trigger WHERE tgname IN ('lesson_server_stamps', 'mark_correction_audited'))",
                (ETL_ROLE,),
            ).fetchone()

    assert state() == (False, False, [SEARCH_PATH], True, 2)
    command.downgrade(alembic_config(url), "0009")
    assert state() == (True, True, None, False, 0)
    upgrade(url)
    assert state() == (False, False, [SEARCH_PATH], True, 2)
