"""A whole college's semester of journals for the paper archive: one ZIP, a PDF per group × subject.

A college semester is an academic year's half (SemesterKey «2026-1»); each group is in its own
programme semester during it. The ZIP holds «<группа>/<код> <дисциплина>.pdf» and «Опись.csv», the
inventory with each document's SHA-256, so the archived paper can be checked later.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.exports.xlsx import neutralise
from app.models import Lesson, StudyGroup, Subject
from app.reports.common import SemesterKey, db_session
from app.reports.journal import _deputy_name, archive_content, archive_hash, render_archive
from app.services.journal import college_today

ProgressCallback = Callable[[int, int, str], None]  # (done, total, what is being made)


@dataclass(frozen=True)
class ArchiveItem:
    group_id: int
    group_name: str
    subject_id: int
    subject_code: str
    subject_name: str
    semester: int

    @property
    def label(self) -> str:
        return f"{self.group_name} — {self.subject_code} {self.subject_name}"

    @property
    def path(self) -> str:
        return f"{_safe(self.group_name)}/{_safe(f'{self.subject_code} {self.subject_name}')}.pdf"


def _safe(name: str) -> str:
    """A file name that every unzip tool accepts (no path separators or reserved characters)."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip(" .") or "_"


def semester_keys(college_id: int, *, session: Session | None = None) -> list[SemesterKey]:
    """The college semesters that have lessons, newest first."""
    with db_session(session) as s:
        rows = s.exec(
            select(StudyGroup.admission_year, Lesson.semester)
            .join(StudyGroup, col(StudyGroup.id) == col(Lesson.study_group_id))
            .where(Lesson.college_id == college_id)
            .distinct()
        ).all()
    return sorted({SemesterKey.of_group(year, semester) for year, semester in rows}, reverse=True)


def semester_items(college_id: int, key: SemesterKey, *, session: Session | None = None) -> list[ArchiveItem]:
    """Every group × subject with lessons held in the college semester, in archive order."""
    with db_session(session) as s:
        today = college_today(session=s)
        semester = 2 * (key.year - col(StudyGroup.admission_year)) + key.half
        rows = s.exec(
            select(StudyGroup, Subject, Lesson.semester)
            .join(StudyGroup, col(StudyGroup.id) == col(Lesson.study_group_id))
            .join(Subject, col(Subject.id) == col(Lesson.subject_id))
            .where(
                Lesson.college_id == college_id,
                col(Lesson.semester) == semester,
                Lesson.lesson_date <= today,
            )
            .distinct()
        ).all()
    items = [
        ArchiveItem(g.id or 0, g.name, subject.id or 0, subject.code, subject.name, sem)
        for g, subject, sem in rows
    ]
    return sorted(items, key=lambda i: (i.group_name, i.subject_code, i.subject_name))


def build_semester_zip(
    college_id: int,
    semester_key: SemesterKey | str,
    progress_callback: ProgressCallback | None = None,
    *,
    deputy_name: str | None = None,
    session: Session | None = None,
) -> bytes:
    """The ZIP of all journal archives of a college semester; progress_callback(done, total, label)."""
    key = SemesterKey.parse(semester_key) if isinstance(semester_key, str) else semester_key
    buffer = io.BytesIO()
    inventory = io.StringIO()
    writer = csv.writer(inventory, delimiter=";")
    writer.writerow(["Группа", "Дисциплина", "Семестр", "Файл", "Контрольная сумма (SHA-256)"])
    with db_session(session) as s:
        items = semester_items(college_id, key, session=s)
        if deputy_name is None:
            deputy_name = _deputy_name(s, college_id)
        total = len(items)
        # PDFs are already compressed; storing them saves time and barely any space.
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for done, item in enumerate(items):
                if progress_callback is not None:
                    progress_callback(done, total, item.label)
                content = archive_content(item.group_id, item.subject_id, item.semester, session=s)
                archive.writestr(item.path, render_archive(content, deputy_name=deputy_name))
                # names typed by people: a spreadsheet opening the inventory must not run «=…» in them
                writer.writerow(
                    [
                        neutralise(item.group_name),
                        neutralise(f"{item.subject_code} {item.subject_name}"),
                        item.semester,
                        neutralise(item.path),
                        archive_hash(content),
                    ]
                )
            # With a BOM, so that Excel opens the Cyrillic inventory correctly.
            archive.writestr("Опись.csv", "\ufeff" + inventory.getvalue(), compress_type=zipfile.ZIP_DEFLATED)
    if progress_callback is not None:
        progress_callback(total, total, "готово")
    return buffer.getvalue()
