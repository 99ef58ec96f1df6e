"""The published warehouse as Parquet files for external BI: one file per model, and a manifest.

Reads the warehouse the pointer names, read-only: a load running meanwhile publishes a new file and
never changes this one, so every file of one export comes from the same load.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.runner import models, quote
from etl.warehouse import NoWarehouse, read_pointer

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class ParquetExport:
    directory: Path
    loaded_at: str
    rows: dict[str, int]

    def summary(self) -> str:
        return (
            f"Выгружено в Parquet: моделей {len(self.rows)}, строк {sum(self.rows.values())} "
            f"(данные на {self.loaded_at}) → {self.directory}"
        )


def export_parquet(warehouse_dir: Path, out: Path) -> ParquetExport:
    published = read_pointer(warehouse_dir)
    if published is None:
        raise NoWarehouse("Хранилище аналитики ещё не построено: выполните «ejournal etl run».")
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    layers: dict[str, str] = {}
    conn = duckdb.connect(str(warehouse_dir / published.file), read_only=True)
    try:
        for model in models():
            target = out / f"{model.name}.parquet"
            tmp = out / f".{model.name}.parquet.tmp"
            # The model name comes from a checked file name (etl.runner._NAME); the path is a parameter.
            conn.execute(f"COPY (SELECT * FROM {quote(model.name)}) TO $1 (FORMAT parquet)", [str(tmp)])
            os.replace(tmp, target)
            count = conn.execute(f"SELECT count(*) FROM {quote(model.name)}").fetchone()
            rows[model.name] = int(count[0]) if count else 0
            layers[model.name] = "staging" if model.materialized == "view" else "mart"
    finally:
        conn.close()
    loaded_at = published.loaded_at.isoformat()
    manifest = {
        "loaded_at": loaded_at,
        "source_changed_at": published.source_changed_at.isoformat() if published.source_changed_at else None,
        "as_of_date": published.as_of_date,
        "warehouse_file": published.file,
        "models": {
            name: {"file": f"{name}.parquet", "layer": layers[name], "rows": count}
            for name, count in rows.items()
        },
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return ParquetExport(out, published.loaded_at.strftime("%d.%m.%Y %H:%M"), rows)


def export_for_cli(directory: Path) -> None:
    """`ejournal export parquet DIR`: the current warehouse, or a clear message that there is none."""
    from app.settings import get_settings

    try:
        print(export_parquet(get_settings().warehouse_dir, directory).summary())
    except NoWarehouse as exc:
        sys.exit(str(exc))
