"""`python -m app.cli …`: how `ejournal serve` starts its warehouse loads, and the tests the CLI."""

from app.cli import main

main()
