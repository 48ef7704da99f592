"""Subcommands of the ``geo`` CLI, one module per area."""
