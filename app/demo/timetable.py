"""Placing a week of lessons into the bell schedule: no teacher and no group in two places at once.

A greedy placer with a preference score: students get compact days that start at the first or
second pair, a subject is not repeated within a day (practices are, on purpose: a practice day),
and a teacher who must be present every day gets lessons spread over the whole week.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

WEEKDAYS = (1, 2, 3, 4, 5, 6)  # Monday … Saturday
LAST_PAIR = 5  # pairs 1–4 normally; the fifth only when nothing else fits


class PlacementError(RuntimeError):
    """The greedy placer painted itself into a corner; retry with another random order."""


@dataclass(frozen=True)
class Unit:
    """One weekly occurrence to place: a single pair, or a two-pair block for the subgroups in turn."""

    key: int  # the caller's identifier
    group: int
    teachers: tuple[int, ...]
    length: int  # 1 or 2 consecutive pairs
    subject: int
    clusters: bool = False  # a practice: several pairs the same day are welcome


@dataclass
class _Grid:
    group_pairs: dict[tuple[int, int], set[int]] = field(default_factory=lambda: defaultdict(set))
    group_subjects: dict[tuple[int, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    teacher_pairs: dict[tuple[int, int], set[int]] = field(default_factory=lambda: defaultdict(set))


def day_capacity(weekday: int) -> int:
    return 3 if weekday == 6 else 4


def place(
    units: list[Unit], rng: random.Random, everyday_teachers: tuple[int, ...] = ()
) -> dict[int, tuple[int, int]]:
    """Return unit key -> (weekday, first pair). Raises PlacementError when it cannot finish."""
    grid = _Grid()
    placed: dict[int, tuple[int, int]] = {}
    order = sorted(
        units,
        key=lambda u: (
            -u.length,  # blocks first: they need two teachers and two consecutive pairs
            not any(t in everyday_teachers for t in u.teachers),
            rng.random(),
        ),
    )
    for unit in order:
        spot = _best_spot(grid, unit, rng, everyday_teachers, relaxed=False) or _best_spot(
            grid, unit, rng, everyday_teachers, relaxed=True
        )
        if spot is None:
            raise PlacementError(f"no room for unit {unit.key}")
        day, first = spot
        pairs = range(first, first + unit.length)
        grid.group_pairs[unit.group, day].update(pairs)
        grid.group_subjects[unit.group, day].append(unit.subject)
        for teacher in unit.teachers:
            grid.teacher_pairs[teacher, day].update(pairs)
        placed[unit.key] = spot
    for teacher in everyday_teachers:
        if any(not grid.teacher_pairs[teacher, day] for day in WEEKDAYS):
            raise PlacementError(f"teacher {teacher} has a free weekday")
    return placed


def _best_spot(
    grid: _Grid, unit: Unit, rng: random.Random, everyday: tuple[int, ...], *, relaxed: bool
) -> tuple[int, int] | None:
    best: tuple[float, int, int] | None = None
    last_pair = LAST_PAIR if relaxed else LAST_PAIR - 1
    for day in WEEKDAYS:
        taken = grid.group_pairs[unit.group, day]
        if len(taken) + unit.length > day_capacity(day) + (1 if relaxed else 0):
            continue
        for first in range(1, last_pair - unit.length + 2):
            pairs = set(range(first, first + unit.length))
            if pairs & taken or any(pairs & grid.teacher_pairs[t, day] for t in unit.teachers):
                continue
            score = _score(grid, unit, day, pairs, everyday) + rng.random()
            if best is None or score < best[0]:
                best = (score, day, first)
    return (best[1], best[2]) if best else None


def _score(grid: _Grid, unit: Unit, day: int, pairs: set[int], everyday: tuple[int, ...]) -> float:
    after = grid.group_pairs[unit.group, day] | pairs
    holes = max(after) - min(after) + 1 - len(after)
    score = 10.0 * holes + 4.0 * (min(after) - 1) + 1.5 * len(after) + 0.3 * max(pairs)
    same_subject = unit.subject in grid.group_subjects[unit.group, day]
    score += -3.0 if unit.clusters and same_subject else 3.0 * same_subject
    for teacher in unit.teachers:
        if teacher in everyday and not grid.teacher_pairs[teacher, day]:
            score -= 15.0
    return score
