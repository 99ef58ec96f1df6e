"""Reading the journal for the warehouse: one connection serves the loads of a process, and a
connection the server closed meanwhile is replaced, not fatal."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from app.db import etl_database_url
from app.settings import Settings
from etl.extract import Source


def backend(source: Source) -> int:
    return int(source.read("SELECT pg_backend_pid()").column(0)[0].as_py())


def test_a_load_reuses_the_connection_the_previous_one_let_go_of(world, tmp_path, database_url):
    url = etl_database_url(Settings(data_dir=tmp_path, database_url=database_url))
    first = Source(url, "Europe/Moscow")
    pid = backend(first)
    first.close()
    second = Source(url, "Europe/Moscow")
    assert backend(second) == pid
    second.close()
    with Session(world.engine) as s:  # the server ends it, as a restart or an idle timeout would
        s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    third = Source(url, "Europe/Moscow")
    assert backend(third) != pid
    assert third.read("SELECT 1 AS one").column(0)[0].as_py() == 1
    third.close()


def test_a_role_that_may_not_ask_the_horizon_still_loads(world, tmp_path, database_url):
    url = etl_database_url(Settings(data_dir=tmp_path, database_url=database_url))
    with Session(world.engine) as s:
        s.execute(text("REVOKE EXECUTE ON FUNCTION etl_read_horizon() FROM ejournal_etl"))
        s.commit()
    try:
        source = Source(url, "Europe/Moscow")
        assert source.horizon is None  # the loader then reads ten minutes back, as before 0029
        assert source.read("SELECT 1 AS one").column(0)[0].as_py() == 1
        source.close()
    finally:
        with Session(world.engine) as s:
            s.execute(text("GRANT EXECUTE ON FUNCTION etl_read_horizon() TO ejournal_etl"))
            s.commit()
    with_horizon = Source(url, "Europe/Moscow")
    assert with_horizon.horizon is not None
    with_horizon.close()
