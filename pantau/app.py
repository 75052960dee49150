"""The `pantau` command's typer app (``pantau.cli`` is the entry point).

Each module in ``pantau/commands/`` owns one area and exposes ``register(app)``; this file only
assembles them, so adding a command never touches another area's code. Errors of every command
become one line with exit code 2 (``pantau.errors``); ``--debug`` adds the traceback.
"""
from __future__ import annotations

import importlib
import sys
from typing import Annotated

import typer

from pantau.errors import PantauGroup, set_debug

COMMAND_MODULES: tuple[str, ...] = ("stack", "notify", "notify_ops", "match", "registry_import", "classify", "config", "dlq",
                                     "subject", "agency_kafka", "kafka", "retention")
# Commands that run often on their own (offline classification in a loop or a batch job): only their module
# is loaded, so start-up does not pay for the broker, store and web clients of every other command.
STANDALONE: dict[str, str] = {"classify": "classify", "check-config": "config"}


def _root(
    debug: Annotated[bool, typer.Option("--debug", envvar="PANTAU_DEBUG",
                                        help="show the full traceback when a command fails")] = False,
) -> None:
    """Pantau Netral: watch online content for breaches of ASN political neutrality.

    First start: `pantau up`, then `pantau registry import REG.csv`, then `pantau submit FILE`.
    Design and contracts: docs/ in the repository.
    """
    set_debug(debug)
    if not debug:  # client libraries log connection failures on their own; the one line says it
        import logging

        for name in ("aiokafka", "kafka", "pymongo"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def build_app(only: str | None = None) -> typer.Typer:
    app = typer.Typer(
        cls=PantauGroup,
        no_args_is_help=True,
        rich_markup_mode="markdown",  # docstrings wrap as paragraphs instead of keeping source line breaks
        pretty_exceptions_enable=False,  # PantauGroup prints one line; --debug prints a plain traceback
        pretty_exceptions_show_locals=False,  # locals may hold NIPs, names or keys
    )
    app.callback()(_root)
    for name in (only,) if only else COMMAND_MODULES:
        importlib.import_module(f"pantau.commands.{name}").register(app)
    return app


def run() -> None:
    words = [a for a in sys.argv[1:] if not a.startswith("-")]
    only = STANDALONE.get(words[0]) if words and "--help" not in sys.argv[1:2] else None
    build_app(only)()
