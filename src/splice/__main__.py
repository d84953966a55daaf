"""`python -m splice` runs the CLI."""

from splice.cli.main import main

main()
