"""Entry point for the `pantau` command.

Each module in ``pantau/commands/`` owns one area and exposes ``register(app)``; this file only
assembles them, so adding a command never touches another area's code.
"""
from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    help="Pantau Netral: watch online content for breaches of ASN political neutrality.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold NIPs, names or keys
)

COMMAND_MODULES: tuple[str, ...] = ("stack", "notify", "match", "registry_import", "classify")


def _register_all() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"pantau.commands.{name}").register(app)


def main() -> None:
    _register_all()
    app()
