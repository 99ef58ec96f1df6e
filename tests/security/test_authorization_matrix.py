"""The authorisation matrix: every role × every page, and service actions × own and foreign records.

The policy below is what the regulation and the issues grant; the test asks the real router and the
real services, counts the cases and the leaks (allowed where the policy denies), and prints both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.domain import Role, WorkKind
from app.errors import AccessDenied, DomainError
from app.models import Attendance, Mark, Student
from app.ui import registry
from tests.conftest import ROOT
from tests.diary_factories import attend
from tests.factories import World, make_world

ROLES = ["teacher", "curator", "deputy", "officer", "director", "student", "guardian"]
# The roles each test account holds: the "curator" account is a teacher curating a group.
ACCOUNT_ROLES: dict[str, set[Role]] = {
    "teacher": {Role.teacher},
    "curator": {Role.teacher, Role.curator},
    "deputy": {Role.deputy},
    "officer": {Role.officer},
    "director": {Role.director},
    "student": {Role.student},
    "guardian": {Role.guardian},
}
COMMON = {p.name for p in registry.PAGES if not p.roles}


def allowed_by_registry(page: str, account: str) -> bool:
    spec = registry.BY_NAME[page]
    return not spec.roles or bool(spec.roles & ACCOUNT_ROLES[account])


DENIED_MARKERS = ("недоступна", "Войдите в систему", "нет доступа", "Нет доступа")

_results: list[tuple[str, bool]] = []  # (case, leaked)


def record(case: str, leaked: bool) -> None:
    _results.append((case, leaked))


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    leaks = [case for case, leaked in _results if leaked]
    print(f"\nauthorisation matrix: {len(_results)} cases, {len(leaks)} leaks")
    for case in leaks:
        print("  LEAK:", case)


def with_curator(world: World) -> World:
    """The factory teacher becomes the group's curator, which gives the account the curator role."""
    world.make_curator("teacher")
    world.users["curator"] = world.users["teacher"]
    return world


def page_files() -> list[str]:
    return sorted(p.stem for p in (ROOT / "pages").glob("*.py") if p.stem not in {"login"} | COMMON)


@pytest.mark.parametrize("page", page_files())
def test_every_role_against_every_page(run_as, world, page):
    with_curator(world)
    teacher_only = dict(world.users)
    # the plain teacher must not carry the curator role for its row of the matrix
    teacher_only["teacher"] = world.users["other_teacher"]
    for role in ROLES:
        allowed = allowed_by_registry(page, role)
        try:
            at = run_as(teacher_only[role], f"pages/{page}.py")
        except ValueError:
            reached = False  # not in the role's navigation: not routable
        else:
            said = " ".join(str(e.value) for kind in ("error", "warning") for e in getattr(at, kind))
            reached = not at.exception and not any(marker in said for marker in DENIED_MARKERS)
        record(f"page {page} as {role}", reached and not allowed)
        assert reached == allowed, f"{role} on {page}: reached={reached}, policy allows={allowed}"


# --------------------------------------------------------------------------- services


def attempt(fn: Callable[[], object]) -> bool:
    try:
        fn()
    except AccessDenied:
        return False
    except DomainError as exc:
        # a refusal for another reason still means the action was not allowed to act on the record
        return exc.code not in {"access_denied", "not_found"} and False
    return True


def passes_access(fn: Callable[[], object]) -> bool:
    """Stricter than `attempt`, for actions the policy never allows: only an access refusal
    (AccessDenied, or NotFound for another college's record) counts as refused. Any other refusal
    means the action got past its access check, which for a foreign record is already a leak."""
    try:
        fn()
    except DomainError as exc:
        return exc.code not in {"access_denied", "not_found"}
    return True


@pytest.fixture
def two_colleges(engine):
    return make_world(engine), make_world(engine)


def test_service_actions_on_own_and_foreign_records(two_colleges):
    from app.services import corrections, curator, diary, journal, substitutions
    from app.services.admin import set_active
    from app.services.journal import LessonEntry, MarkInput

    a, b = two_colleges
    for w in (a, b):
        with_curator(w)
    own_lesson = a.lesson(0)
    foreign_teacher_lesson = a.lesson(0, teacher_id=a.other_teacher_id)
    other_college_lesson = b.lesson(0)
    # a mark to correct, in each college
    marks = {}
    for w, lid in ((a, own_lesson), (b, other_college_lesson)):
        with Session(w.engine) as s:
            journal.save_lesson(
                w.actor("teacher"),
                lid,
                LessonEntry(work_kind=WorkKind.oral, marks=[MarkInput(w.student_ids[1], "3")]),
                session=s,
            )
            marks[w.college_id] = s.exec(select(Mark.id).where(Mark.lesson_id == lid)).one()

    # a real absence of another college's student, so that excusing it can be refused only by access
    foreign_absence = attend(b, b.lesson(1), b.student_ids[1], "absent")
    yesterday = a.today - timedelta(days=1)
    # student №1 has the factory student's account and is the factory guardian's child; №2 is neither
    own_child, classmate = a.student_ids[0], a.student_ids[1]

    def run(w: World, who: str, fn: Callable[..., object], *args: object, **kw: object) -> bool:
        with Session(w.engine) as s:
            return attempt(lambda: fn(w.actor(who), *args, session=s, **kw))

    def run_foreign(w: World, who: str, fn: Callable[..., object], *args: object, **kw: object) -> bool:
        with Session(w.engine) as s:
            return passes_access(lambda: fn(w.actor(who), *args, session=s, **kw))

    cases: list[tuple[str, bool, bool]] = []  # (case, allowed by policy, actually allowed)
    for who in ROLES:
        w_who = "other_teacher" if who == "teacher" else who
        conducts = who == "curator"  # the curator account is the factory teacher who conducts own_lesson
        cases.append(
            (
                f"save own lesson as {who}",
                conducts,
                run(a, w_who, journal.save_lesson, own_lesson, LessonEntry(topic=f"Тема {who}")),
            )
        )
        cases.append(
            (
                f"save another teacher's lesson as {who}",
                who == "teacher",
                run(a, w_who, journal.save_lesson, foreign_teacher_lesson, LessonEntry(topic=f"Т {who}")),
            )
        )
        cases.append(
            (
                f"save another college's lesson as {who}",
                False,
                run(a, w_who, journal.save_lesson, other_college_lesson, LessonEntry(topic=f"X {who}")),
            )
        )
        cases.append(
            (
                f"read another college's lesson as {who}",
                False,
                run(a, w_who, journal.lesson_sheet, other_college_lesson),
            )
        )
        cases.append(
            (
                f"correct a mark as {who}",
                who == "deputy",
                run(a, w_who, journal.correct_mark, marks[a.college_id], "4", f"ошибка ввода {who}"),
            )
        )
        cases.append(
            (
                f"correct another college's mark as {who}",
                False,
                run(a, w_who, journal.correct_mark, marks[b.college_id], "5", f"чужая отметка {who}"),
            )
        )
        cases.append(
            (
                f"assign a substitute in another college as {who}",
                False,
                run(
                    a,
                    w_who,
                    substitutions.assign_substitute,
                    other_college_lesson,
                    b.other_teacher_id,
                    "болезнь",
                ),
            )
        )
        cases.append(
            (
                f"disable an account of another college as {who}",
                False,
                run(a, w_who, set_active, b.users["director"], False, reason="проверка"),
            )
        )
        cases.append(
            (f"list correction requests as {who}", who == "deputy", run(a, w_who, corrections.list_pending))
        )
        # diary reads: own (the student themself, the guardian's child), a classmate, another college
        staff_reader = who in {"curator", "deputy", "director"}  # the curator curates the factory group
        diary_targets = [
            ("own diary", own_child, who in {"student", "guardian"} or staff_reader),
            ("a classmate's diary", classmate, staff_reader),
            ("another college's student's diary", b.student_ids[0], False),
        ]
        for label, sid, allowed in diary_targets:
            cases.append((f"read {label} (week) as {who}", allowed, run(a, w_who, diary.week, sid, a.today)))
            cases.append(
                (
                    f"read {label} (period) as {who}",
                    allowed,
                    run(a, w_who, diary.period, sid, a.today - timedelta(days=30), a.today),
                )
            )
        # the curator's group
        cases.append(
            (
                f"list own college's group as {who}",
                who in {"curator", "deputy", "officer"},
                run(a, w_who, curator.group_list, a.group_id),
            )
        )
        cases.append(
            (
                f"list another college's group as {who}",
                False,
                run_foreign(a, w_who, curator.group_list, b.group_id),
            )
        )
        cases.append(
            (
                f"issue credentials to another college's group as {who}",
                False,
                run_foreign(a, w_who, curator.issue_group_credentials, b.group_id),
            )
        )
        cases.append(
            (
                f"issue credentials to another college's student as {who}",
                False,
                run_foreign(a, w_who, curator.issue_student_credentials, b.student_ids[2]),
            )
        )
        cases.append(
            (
                f"excuse another college's student's absence as {who}",
                False,
                run_foreign(
                    a,
                    w_who,
                    curator.excuse_absences,
                    b.student_ids[1],
                    [foreign_absence],
                    "Справка",
                    yesterday,
                    f"ОРВИ {who}",
                ),
            )
        )
    for case, allowed, actual in cases:
        record(case, actual and not allowed)
    # the foreign records are as they were: no excuse recorded, no account issued
    with Session(b.engine) as s:
        assert s.get(Attendance, foreign_absence).status == "absent"  # type: ignore[union-attr]
        accounts_of = s.exec(select(Student.user_id).where(Student.study_group_id == b.group_id)).all()
        assert [uid for uid in accounts_of if uid is not None] == [b.users["student"]]
    leaks = [c for c, allowed, actual in cases if actual and not allowed]
    denied_wrongly = [c for c, allowed, actual in cases if allowed and not actual]
    assert not leaks, leaks
    assert not denied_wrongly, denied_wrongly


def test_the_registry_names_every_page_file():
    files = {p.stem for p in (ROOT / "pages").glob("*.py")}
    assert files == {*registry.BY_NAME, "login"}
    assert all((ROOT / p.path).exists() for p in registry.PAGES)


def test_students_and_guardians_reach_only_the_diary_and_their_account():
    """The regulation: students and guardians read the diary and never touch the journal; their
    letters («Уведомления») and API tokens («Доступ для приложений») are their own account's."""
    for account in ("student", "guardian"):
        reachable = {name for name in registry.BY_NAME if allowed_by_registry(name, account)}
        assert reachable == {"home", "diary", "notices", "help", "password", "api_tokens"}, account


@pytest.mark.parametrize(
    "who", ["teacher", "curator", "deputy", "officer", "director", "student", "guardian"]
)
def test_notices_are_posted_by_the_groups_keepers_and_chosen_by_their_readers(world, who):
    """Who may announce to a group, e-mail a student's letter, and choose letters (issue 16)."""
    from app.errors import DomainError
    from app.services import notices

    if who == "curator":
        world.make_curator()
    actor = world.actor("teacher" if who == "curator" else who)
    keeper = who in {"curator", "deputy", "officer"}
    reader = who in {"student", "guardian"}
    outcomes = {}
    for name, call in (
        ("announce", lambda s: notices.post_announcement(actor, world.group_id, "Тема", "Текст.", session=s)),
        (
            "letter",
            lambda s: notices.email_letter(
                actor, world.student_ids[0], world.today, world.today, b"%PDF", session=s
            ),
        ),
        ("choose", lambda s: notices.choose(actor, digest=False, alerts=True, session=s)),
    ):
        with Session(world.engine) as s:
            try:
                call(s)
                outcomes[name] = True
            except DomainError as exc:
                # no address is a refusal of its own, after access was granted
                outcomes[name] = "эл. почта" in exc.message
    assert outcomes == {"announce": keeper, "letter": keeper, "choose": reader}
