"""Subcommands of the ``tariffmodel`` command line: one module each, with ``register(sub)``."""
