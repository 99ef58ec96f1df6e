"""`ejournal export parquet DIR`: every model of the published warehouse as Parquet, with a manifest."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
import polars as pl
import pytest

from app.exports.parquet import MANIFEST, export_parquet
from app.settings import Settings
from etl.load import run_etl
from etl.runner import models, quote
from etl.warehouse import NoWarehouse, read_pointer
from tests.etl.helpers import filled_on


@pytest.fixture
def wh(tmp_path, database_url) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


def test_every_model_reads_back_with_the_warehouse_row_counts(world, wh, tmp_path):
    world.lesson(1, **filled_on(world, 1))
    run_etl(full=True, settings=wh)
    published = read_pointer(wh.warehouse_dir)
    assert published is not None
    out = tmp_path / "bi"
    export = export_parquet(wh.warehouse_dir, out)
    names = [m.name for m in models()]
    assert sorted(p.stem for p in out.glob("*.parquet")) == sorted(names)
    assert not list(out.glob(".*.tmp"))
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["loaded_at"] == published.loaded_at.isoformat()
    with duckdb.connect(str(wh.warehouse_dir / published.file), read_only=True) as conn:
        for name in names:
            row = conn.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()
            assert row is not None
            frame = pl.read_parquet(out / f"{name}.parquet")
            assert frame.height == row[0] == manifest["models"][name]["rows"] == export.rows[name], name
    assert manifest["models"]["stg_lesson"]["layer"] == "staging"
    assert any(v["layer"] == "mart" and v["rows"] > 0 for v in manifest["models"].values())
    assert "Выгружено в Parquet" in export.summary()


def test_no_warehouse_is_a_clear_message(tmp_path):
    with pytest.raises(NoWarehouse, match="ejournal etl run"):
        export_parquet(tmp_path / "nothing", tmp_path / "out")
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "export", "parquet", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={**os.environ, "EJOURNAL_DATA_DIR": str(tmp_path / "nothing")},
        check=False,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Хранилище аналитики ещё не построено: выполните «ejournal etl run»." in done.stderr


def test_the_command_writes_the_files(world, wh, tmp_path):
    run_etl(full=True, settings=wh)
    out = tmp_path / "cli-out"
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "export", "parquet", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "EJOURNAL_DATA_DIR": str(wh.data_dir)},
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Выгружено в Parquet: моделей" in done.stdout
    assert (out / MANIFEST).exists() and (out / "stg_student.parquet").exists()
