"""Entry point for the `pantau` command.

Each module in ``pantau/commands/`` owns one area and exposes ``register(app)``; this file only
assembles them, so adding a command never touches another area's code.
"""
from __future__ import annotations

import importlib

import typer

COMMAND_MODULES: tuple[str, ...] = ("stack", "notify", "match", "registry_import", "classify", "config")


def build_app() -> typer.Typer:
    app = typer.Typer(
        help="Pantau Netral: watch online content for breaches of ASN political neutrality.",
        no_args_is_help=True,
        rich_markup_mode="markdown",  # docstrings wrap as paragraphs instead of keeping source line breaks
        pretty_exceptions_show_locals=False,  # locals may hold NIPs, names or keys
    )
    for name in COMMAND_MODULES:
        importlib.import_module(f"pantau.commands.{name}").register(app)
    return app


def main() -> None:
    build_app()()
