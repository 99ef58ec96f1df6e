"""Widgets shared by the analytics pages: freshness, tables with an Excel download, empty states."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
import streamlit as st

from app.analytics.common import freshness_label, get_reader
from app.exports.xlsx import to_xlsx, visible
from etl.warehouse import NoWarehouse, WarehouseReader


def warehouse_or_stop() -> WarehouseReader:
    reader = get_reader()
    try:
        st.caption(freshness_label(reader.published()))
    except NoWarehouse as exc:
        st.info(str(exc))
        st.stop()
    return reader


def russian_columns(frame: pl.DataFrame) -> dict[str, Any]:
    """Dates as ДД.ММ.ГГГГ (a timestamp at midnight is a date), timestamps with minutes; the
    columns stay dates, so they still sort as dates."""
    config: dict[str, Any] = {}
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            config[name] = st.column_config.DateColumn(format="DD.MM.YYYY")
        elif isinstance(dtype, pl.Datetime):
            times = frame[name].drop_nulls().dt.strftime("%H:%M:%S")
            midnight = times.len() == 0 or bool((times == "00:00:00").all())
            config[name] = (
                st.column_config.DateColumn(format="DD.MM.YYYY")
                if midnight
                else st.column_config.DatetimeColumn(format="DD.MM.YYYY HH:mm")
            )
    return config


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _audit_download(file_name: str) -> None:
    """The click on a download: exports of journal data and credential slips are audited (who took
    what out, finding 7). Runs as the click's callback, before the page, so it binds the origin."""
    from sqlmodel import Session

    from app import audit
    from app.db import get_engine
    from app.ui import session

    actor = session.current()
    if actor is None:
        return
    with Session(get_engine()) as db:
        audit.record(
            db,
            actor,
            "export.download",
            entity="file",
            details={"file": file_name, "page": st.context.url or ""},
        )
        db.commit()


def download(
    label: str,
    data: bytes | str | Callable[[], bytes],
    *,
    file_name: str,
    mime: str,
    key: str,
    icon: str | None = ":material/download:",
    where: Any = None,
) -> None:
    """Every download button of the app: the file, and a line in the audit log when it is taken."""
    (where or st).download_button(
        label,
        data=data,
        file_name=file_name,
        mime=mime,
        key=key,
        icon=icon,
        on_click=_audit_download,
        args=(file_name,),
    )


def table(frame: pl.DataFrame, *, name: str, empty: str = "Нет данных за выбранный период.") -> None:
    """A table people can read, sort and take away as a formatted Excel file."""
    shown = visible(frame)
    if shown.height == 0:
        st.info(empty)
        return
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config=russian_columns(shown),
        placeholder="",  # a missing value is an empty cell, not «None»
    )
    download(
        "Скачать в Excel",
        data=to_xlsx({name[:31]: shown}, title=name),
        file_name=f"{name}.xlsx",
        mime=XLSX,
        key=f"xlsx_{name}",
    )


def url_index(name: str, options: Sequence[int | None]) -> int:
    """The index of the option `?name=ID` names (the links from «Моя группа»), else 0.

    Only a preselection among options the page has already filtered by permission: an id the user
    may not see is simply not among them.
    """
    raw = st.query_params.get(name, "")
    if raw.isdigit() and int(raw) in options:
        return list(options).index(int(raw))
    return 0
