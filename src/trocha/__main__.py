"""`python -m trocha` runs the `trocha` command."""

from .cli import main

main()
