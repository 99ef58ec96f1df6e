from tests.pages.conftest import run_as  # noqa: F401  (the AppTest fixture, shared)
