"""CLI subcommands; each module exposes ``register(subparsers)`` that sets ``func``."""
