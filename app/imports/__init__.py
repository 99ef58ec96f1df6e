"""Spreadsheet imports: reference data (all or nothing, upsert by natural keys) and the history migration."""

# Kind -> its Russian title, in the order they build on each other; app.imports.schemas defines each.
KINDS: dict[str, str] = {
    "teachers": "Преподаватели",
    "groups": "Группы",
    "students": "Студенты",
    "guardians": "Родители",
    "subjects": "Дисциплины",
    "curriculum": "Учебный план",
    "ktp": "КТП",
    "timetable": "Расписание",
    "calendar": "Учебный календарь",
}
