"""The attestation sheet as the college files it: «Экзаменационная ведомость» (or «Зачётная»)."""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session

from app.domain import AttestationForm, fmt_date
from app.models import College
from app.reports import blocks as b
from app.reports.common import now_local
from app.services.attestation import Sheet, SheetKind


def sheet_title(sheet: Sheet) -> str:
    if sheet.kind is SheetKind.year:
        title = "Ведомость годовых отметок"
    elif sheet.form is AttestationForm.gia:
        title = "Сводная ведомость государственной итоговой аттестации"
    elif sheet.form is AttestationForm.credit:
        title = "Зачётная ведомость"
    else:
        title = "Экзаменационная ведомость"
    return title


def _blocks(sheet: Sheet, deputy: str) -> list[b.Block]:
    counts = Counter(r.value for r in sheet.rows if r.value is not None)
    rows = [
        [
            n,
            r.student_name,
            r.history[0] if r.history else "",
            " → ".join(r.history[1:]) if len(r.history) > 1 else "",
            r.value or "",
            r.taken_on,
        ]
        for n, r in enumerate(sheet.rows, start=1)
    ]
    summary = ", ".join(f"«{v}» — {counts[v]}" for v in sheet.allowed if counts[v]) or "отметок нет"
    blocks = [
        b.paragraph(
            f"Группа {sheet.group_name}. Дисциплина: {sheet.subject_name}. {sheet.semester}-й семестр. "
            f"{'Отметка' if sheet.kind is SheetKind.year else 'Форма аттестации'}: {sheet.form_label}. {'Секретарь ГЭК' if sheet.form is AttestationForm.gia else 'Преподаватель'}: {sheet.teacher_name or '—'}. "
            f"Сессия: {fmt_date(sheet.window[0])} — {fmt_date(sheet.window[1])}.",
            size=9,
        ),
        b.table(
            [
                b.num("№", 8),
                b.Col("Студент (ФИО)", fr=3),
                b.Col("Отметка", mm=24, align="center"),
                b.Col("Пересдача", mm=28, align="center"),
                b.Col("Итог", mm=22, align="center"),
                b.Col("Дата", mm=22, align="center"),
            ],
            rows,
            size=9,
            empty="В группе нет студентов.",
        ),
        b.paragraph(f"Итого: {summary}; студентов в ведомости — {len(sheet.rows)}.", size=9),
        b.signature(
            "Секретарь ГЭК" if sheet.form is AttestationForm.gia else "Преподаватель", sheet.teacher_name
        ),
        *(b.signature("Член комиссии", name) for _, name in sheet.commission),
        b.signature("Заместитель директора по учебной работе", deputy),
    ]
    return blocks


def sheet_pdf(sheet: Sheet, *, session: Session, college_id: int, deputy: str = "") -> bytes:
    college = session.get(College, college_id)
    return b.render_report(
        title=sheet_title(sheet),
        subtitle=sheet.title,
        college=college.name if college else "",
        header_right=f"сформировано {now_local():%d.%m.%Y %H:%M}",
        blocks=_blocks(sheet, deputy),
    )


def sheets_pdf(
    sheets: list[Sheet], *, session: Session, college_id: int, title: str, deputy: str = ""
) -> bytes:
    """Every sheet of a half (or of a group's half) in one document, each from a new page."""
    college = session.get(College, college_id)
    blocks: list[b.Block] = []
    for n, sheet in enumerate(sheets):
        if n:
            blocks.append(b.pagebreak())
        blocks += [b.heading(f"{sheet_title(sheet)}: {sheet.title}", level=2), *_blocks(sheet, deputy)]
    if not blocks:
        blocks.append(b.paragraph("Ведомостей нет."))
    return b.render_report(
        title="Ведомости промежуточной аттестации",
        subtitle=title,
        college=college.name if college else "",
        header_right=f"сформировано {now_local():%d.%m.%Y %H:%M}",
        blocks=blocks,
    )
