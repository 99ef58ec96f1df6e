"""PDF downloads on the pages: built when the button is clicked (deferred), batch work with a progress bar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st

from app.actor import Actor
from app.analytics.common import period_bounds
from app.domain import Role, fmt_date
from app.reports.archive import ArchiveItem, build_semester_zip, semester_items, semester_keys
from app.reports.common import SemesterKey
from app.reports.journal import build_journal_archive
from app.reports.journal_keeping import monthly_report_pdf, weekly_analysis_pdf
from app.ui.widgets import download
from etl.warehouse import WarehouseReader

PDF = "application/pdf"


def pdf_button(label: str, build: Callable[[], bytes], *, file_name: str, key: str) -> None:
    """A download whose PDF is made only when clicked (Streamlit runs `build` on the click)."""
    download(label, data=build, file_name=file_name, mime=PDF, key=key, icon=":material/picture_as_pdf:")


def _signer(actor: Actor, role: Role) -> str:
    """The actor's name on a signature line that is theirs to sign; otherwise left blank."""
    return actor.full_name if actor.has(role) else ""


def documents_tab(actor: Actor, reader: WarehouseReader, anchor: date) -> None:
    """«Документы» on «Заполнение журналов»: weekly analysis, monthly report, semester journal archive."""
    week_start, week_end = period_bounds("week", anchor)
    month_start, _ = period_bounds("month", anchor)
    st.markdown("**Анализ ведения журналов** — для печати и размещения на доске информации.")
    c1, c2 = st.columns(2)
    with c1:
        pdf_button(
            f"Анализ недели {fmt_date(week_start)} — {fmt_date(week_end)} (PDF)",
            lambda: weekly_analysis_pdf(
                reader, actor.college_id, week_start, signer=_signer(actor, Role.officer)
            ),
            file_name=f"Анализ работы с журналами {week_start:%Y-%m-%d}.pdf",
            key="pdf_weekly",
        )
    with c2:
        pdf_button(
            f"Отчёт за {month_start:%m.%Y} для заместителя директора (PDF)",
            lambda: monthly_report_pdf(
                reader, actor.college_id, month_start, signer=_signer(actor, Role.deputy)
            ),
            file_name=f"Отчёт о работе с журналами {month_start:%Y-%m}.pdf",
            key="pdf_monthly",
        )

    st.divider()
    st.markdown(
        "**Архив журналов за семестр** — копия электронного журнала на бумажном носителе (печать с двух "
        "сторон листа): список группы, отметки и посещаемость, темы и домашние задания, отметки за семестр."
    )
    keys = semester_keys(actor.college_id)
    if not keys:
        st.info("Занятий ещё не было — архивировать нечего.")
        return
    key = st.selectbox("Семестр", keys, format_func=lambda k: k.label, key="archive_semester")
    assert isinstance(key, SemesterKey)
    items = semester_items(actor.college_id, key)
    deputy = actor.full_name if actor.has(Role.deputy) else None
    item = st.selectbox(
        "Журнал (группа — дисциплина)", items, format_func=lambda i: i.label, key="archive_item"
    )
    if item is not None:
        chosen: ArchiveItem = item
        pdf_button(
            "Журнал группы по дисциплине (PDF)",
            lambda: build_journal_archive(
                chosen.group_id, chosen.subject_id, chosen.semester, deputy_name=deputy
            ),
            file_name=f"Журнал {chosen.group_name} {chosen.subject_code} {key}.pdf".replace("/", "_"),
            key="pdf_archive_one",
        )
    zip_key = f"archive_zip_{actor.college_id}_{key}"
    if st.button(
        f"Сформировать архив всех журналов колледжа ({len(items)} PDF в ZIP)",
        key="archive_zip_build",
        icon=":material/folder_zip:",
    ):
        bar = st.progress(0.0, text="Подготовка…")

        def progress(done: int, total: int, label: str) -> None:
            bar.progress(done / total if total else 1.0, text=f"{done} из {total}: {label}")

        st.session_state[zip_key] = build_semester_zip(actor.college_id, key, progress, deputy_name=deputy)
        bar.progress(1.0, text=f"Готово: журналов в архиве — {len(items)}.")
    if zip_key in st.session_state:
        download(
            "Скачать архив журналов (ZIP)",
            data=st.session_state[zip_key],
            file_name=f"Архив журналов {key}.zip",
            mime="application/zip",
            key="archive_zip_download",
        )
