"""Every page of the app, once: its file, title, icon, menu section and who may open it.

The router builds the menu from it (streamlit_app.py), every page checks it on the server
(app.ui.page.require_page), links between pages follow it (app.ui.page.page_link), and the
authorisation matrix tests it (tests/security/test_authorization_matrix.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.actor import Actor
from app.domain import Role

TCH, CUR, DEP, DIR, OFF, STU, GUA = (
    Role.teacher,
    Role.curator,
    Role.deputy,
    Role.director,
    Role.officer,
    Role.student,
    Role.guardian,
)
MAIN, ANALYTICS, ADMIN, ACCOUNT = "", "Аналитика", "Администрирование", "Учётная запись"


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to the app's root: «pages/journal.py»
    title: str
    icon: str
    roles: frozenset[Role]  # who may open it; empty: everyone logged in
    section: str = MAIN
    default: bool = False

    @property
    def name(self) -> str:
        return Path(self.path).stem

    def allows(self, actor: Actor) -> bool:
        return not self.roles or actor.has(*self.roles)


def _page(
    path: str, title: str, icon: str, *roles: Role, section: str = MAIN, default: bool = False
) -> PageSpec:
    return PageSpec(f"pages/{path}.py", title, f":material/{icon}:", frozenset(roles), section, default)


# In menu order.
PAGES: tuple[PageSpec, ...] = (
    _page("home", "Главная", "home", default=True),
    _page("journal", "Журнал", "edit_note", TCH),
    _page("my_remarks", "Мои замечания", "assignment_late", TCH),
    _page("group_journal", "Журнал группы", "grid_on", TCH, CUR, DEP, DIR),
    _page("ktp", "КТП", "list_alt", TCH, DEP),
    _page("attestation", "Аттестация", "workspace_premium", TCH, CUR, DEP, DIR),
    _page("academic_calendar", "Учебный календарь", "calendar_month", TCH, CUR, DEP, DIR, OFF),
    _page("diary", "Дневник", "menu_book", STU, GUA, CUR, DEP, DIR),
    _page("notices", "Уведомления", "notifications", STU, GUA),
    _page("my_group", "Моя группа", "groups", CUR, DEP, OFF),
    _page("substitutions", "Замены", "swap_horiz", DEP, OFF),
    _page("timetable_changes", "Изменения расписания", "event_repeat", DEP, OFF),
    _page("corrections", "Исправления отметок", "rule", DEP),
    _page("completeness", "Заполнение журналов", "fact_check", DEP, OFF, DIR, section=ANALYTICS),
    _page("attendance", "Посещаемость", "event_busy", DEP, DIR, CUR, section=ANALYTICS),
    _page("progress", "Успеваемость", "school", DEP, DIR, CUR, TCH, section=ANALYTICS),
    _page("reports", "Отчёты", "description", DEP, DIR, CUR, section=ANALYTICS),
    _page("admin", "Учётные записи", "manage_accounts", OFF, DIR, section=ADMIN),
    _page("import_data", "Импорт данных", "upload_file", OFF, section=ADMIN),
    _page("help", "Справка", "help", section=ACCOUNT),
    _page("password", "Смена пароля", "key", section=ACCOUNT),
    _page("api_tokens", "Доступ для приложений", "api", section=ACCOUNT),
)
BY_NAME: dict[str, PageSpec] = {p.name: p for p in PAGES}
LOGIN = _page("login", "Вход", "login", default=True)


def spec_of(file: str) -> PageSpec:
    """The page a script file is (its `__file__`)."""
    return BY_NAME[Path(file).stem]


def menu(actor: Actor) -> dict[str, list[PageSpec]]:
    """The pages the actor may open, by section, in order."""
    out: dict[str, list[PageSpec]] = {}
    for page in PAGES:
        if page.allows(actor):
            out.setdefault(page.section, []).append(page)
    return out
