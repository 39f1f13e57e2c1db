"""The command line (`assistant index|ask|search|articles|positions|summarize|counter`): a thin
shell over the `Assistant` API. `commands` defines them (`common` holds what they share)."""

from assistant.cli.commands import main

__all__ = ["main"]
