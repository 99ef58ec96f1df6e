from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session

from app.imports.run import ImportResult
from app.imports.service import import_file
from tests.factories import World

Importer = Callable[..., ImportResult]


@pytest.fixture
def do_import(database_url: str) -> Importer:
    """Import as the world's officer, through the app role's connection (what the page uses)."""
    from app.db import get_engine

    def run(
        world: World, kind: str, data: bytes, name: str = "file.xlsx", who: str = "officer"
    ) -> ImportResult:
        actor = world.actor(who)
        with Session(get_engine()) as session:
            return import_file(kind, data, name, session=session, college_id=world.college_id, actor=actor)

    return run
