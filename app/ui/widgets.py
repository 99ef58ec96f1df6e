"""Widgets shared by the analytics pages: freshness, tables with an Excel download, empty states."""

from __future__ import annotations

from collections.abc import Sequence
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
    st.download_button(
        "Скачать в Excel",
        data=to_xlsx({name[:31]: shown}, title=name),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{name}",
        icon=":material/download:",
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
