"""A КТП: the lines of a subject's calendar-thematic plan, and homework as teachers word it."""

from __future__ import annotations

import itertools
import random
from collections import Counter

from app.demo import catalog
from app.demo.catalog import SubjectSpec
from app.domain import AttestationForm

# КТП lesson kinds each style cycles through within a theme.
STYLE_PATTERN: dict[str, tuple[str, ...]] = {
    catalog.LECTURE: ("theory", "practice"),
    catalog.LAB: ("theory", "lab"),
    catalog.MATH: ("theory", "exercise"),
    catalog.HUMANITIES: ("theory", "theory", "seminar"),
    catalog.LANGUAGE: ("language",),
    catalog.SPORT: ("sport",),
    catalog.PRACTICE: ("work",),
}
NO_HOMEWORK_KINDS = frozenset({"sport", "work", "control", "final"})
LANGUAGE_ASPECTS = ("Лексика", "Грамматика", "Чтение и перевод текста", "Развитие устной речи")
FINAL_TITLES: dict[AttestationForm, tuple[str, str]] = {
    AttestationForm.exam: ("Консультация перед экзаменом", "theory"),
    AttestationForm.diff_credit: ("Дифференцированный зачёт", "final"),
    AttestationForm.credit: ("Зачёт", "final"),
    AttestationForm.qual_exam: ("Подготовка к квалификационному экзамену", "theory"),
    AttestationForm.other: ("Обобщающее повторение", "theory"),
}


def build_plan(
    subject: SubjectSpec, lessons: int, form: AttestationForm, rng: random.Random
) -> list[tuple[str, str, str, str, int]]:
    """The КТП lines (title, kind, theme, homework, work number) for `lessons` lessons of a subject.

    Themes are spread evenly; within a theme the style's pattern alternates theory and practice;
    a control work closes each part of the course (at a theme boundary), and the last lesson
    prepares the attestation.
    """
    if lessons <= 0:
        return []
    style = subject.style
    graded_parts = style not in (catalog.SPORT, catalog.PRACTICE) and lessons >= 8
    controls = max(1, round(lessons / 14)) if graded_parts else 0
    final_title, final_kind = FINAL_TITLES[form]
    if style == catalog.SPORT and form == AttestationForm.other:
        final_title, final_kind = "Сдача контрольных нормативов", "sport"
    if style == catalog.PRACTICE:
        closes = form in (AttestationForm.diff_credit, AttestationForm.credit, AttestationForm.qual_exam)
        final_title, final_kind = (
            ("Дифференцированный зачёт по практике", "final")
            if closes
            else ("Подведение итогов этапа практики", "work")
        )
    content = lessons - controls - 1
    themes = subject.themes
    pattern = STYLE_PATTERN[style]
    numbers: Counter[str] = Counter()
    parts: list[list[tuple[str, str, str, str, int]]] = []  # the lessons of each theme
    for i, theme in enumerate(themes):
        part = []
        for j in range((i + 1) * content // len(themes) - i * content // len(themes)):
            kind = pattern[j % len(pattern)]
            number = 0
            if kind in ("practice", "lab"):
                numbers[kind] += 1
                number = numbers[kind]
            homework = homework_text(kind, theme, number, rng, paragraph=f"{i + 1}.{j + 1}")
            part.append((_title(kind, theme, j, number), kind, theme, homework, number))
        if part:
            parts.append(part)
    # Control work k closes the theme whose end is nearest to the k-th share of the course.
    ends = list(itertools.accumulate(len(p) for p in parts))
    closing = {
        min(range(len(parts)), key=lambda i: abs(ends[i] - k * content / (controls + 1)))
        for k in range(1, controls + 1)
    }
    lines: list[tuple[str, str, str, str, int]] = []
    for i, part in enumerate(parts):
        lines += part
        if i in closing:
            theme, number = part[-1][2], sum(1 for line in lines if line[1] == "control") + 1
            lines.append((f"Контрольная работа №{number} по теме «{theme}»", "control", theme, "", number))
    while len(lines) < lessons - 1:  # two controls closed the same theme: the course revises instead
        theme = lines[-1][2] if lines else themes[-1]
        lines.append((f"Повторение по теме «{theme}»", "theory", theme, "", 0))
    lines.append((final_title, final_kind, themes[-1], "", 0))
    return lines


def _title(kind: str, theme: str, repeat: int, number: int) -> str:
    if kind == "practice":
        return f"Практическая работа №{number}. {theme}"
    if kind == "lab":
        return f"Лабораторная работа №{number}. {theme}"
    if kind == "exercise":
        return f"Решение задач по теме «{theme}»"
    if kind == "seminar":
        return f"Семинар: {theme}"
    if kind == "language":
        return theme if repeat == 0 else f"{theme}. {LANGUAGE_ASPECTS[(repeat - 1) % len(LANGUAGE_ASPECTS)]}"
    if kind == "sport":
        return theme if repeat == 0 else f"{theme}. Совершенствование техники"
    return theme if repeat == 0 else f"{theme} (продолжение)"


def homework_text(kind: str, theme: str, number: int, rng: random.Random, paragraph: str = "1.1") -> str:
    """A homework as teachers word it; empty for lessons that set none (КТП homework is optional)."""
    if kind in NO_HOMEWORK_KINDS:
        return ""
    if kind == "practice":
        return f"Оформить отчёт по практической работе №{number}"
    if kind == "lab":
        return f"Оформить отчёт по лабораторной работе №{number}, сделать выводы"
    if kind == "exercise":
        first = rng.randint(1, 60) * 5
        return f"Решить задачи № {first}–{first + rng.randint(3, 6)}"
    if kind == "seminar":
        return "Повторить материал темы, подготовить выступление"
    if kind == "language":
        exercise, page = rng.randint(1, 12), rng.randint(10, 180)
        return rng.choice(
            (
                f"Выучить новые слова, упр. {exercise} на с. {page}",
                f"Упр. {exercise} на с. {page} письменно",
                "Подготовить пересказ текста",
                "Составить диалог по теме",
            )
        )
    return rng.choice(
        (
            "Выучить конспект лекции, ответить на контрольные вопросы",
            f"Учебник: § {paragraph}, вопросы в конце параграфа",
            f"Конспект, § {paragraph}",
            f"Подготовить сообщение по теме «{theme}»",
            "",
        )
    )
