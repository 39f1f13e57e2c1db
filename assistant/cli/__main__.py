"""`python -m assistant.cli`: the same command line as the `assistant` script."""

from assistant.cli.commands import main

main()
