"""What the history's parts share: what it planted and counted (History, its teacher defects and
the demo teacher's prepared lessons), when a lesson's parts were filled, a few minutes drawn."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.demo.college import GroupInfo, StudentInfo, TeacherInfo


@dataclass
class TeacherDefect:
    teacher: TeacherInfo
    kind: str  # no_topic, no_homework, late, unmarked_control
    lessons: int = 0
    no_topic: int = 0
    no_homework: int = 0
    late: int = 0
    unmarked_controls: int = 0


DEFECT_KINDS = ("no_topic", "no_homework", "late", "unmarked_control")


@dataclass
class DemoLesson:
    """A lesson of the demo teacher prepared for the demonstration."""

    day: date
    pair: int
    group: str
    subject: str
    marked: int = 0
    present: int = 0


@dataclass
class History:
    """What the simulation planted and counted, for the report and the tests."""

    teacher_defects: list[TeacherDefect]
    lagging_groups: dict[int, list[int]]  # group id -> [topics covered, lessons held]
    lagging: list[GroupInfo]
    absentees: list[StudentInfo]
    failing: list[StudentInfo]
    hours: dict[int, list[int]] = field(default_factory=dict)  # student id -> [missed, total]
    twos: Counter[int] = field(default_factory=Counter)  # student id -> marks «2»
    substitution: tuple[TeacherInfo, date, date] | None = None
    demo_control: DemoLesson | None = None  # a control work being checked: some marks still missing
    demo_homework_gap: DemoLesson | None = None  # yesterday's lesson without homework
    today_lessons: int = 0


@dataclass
class _Fill:
    """When the conducting teacher filled each part of a lesson (None: not filled)."""

    attendance: datetime | None
    topic: datetime | None
    work: datetime | None
    homework: datetime | None
    late: bool


def _minutes(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(minutes=rng.randint(low, high), seconds=rng.randint(0, 59))
