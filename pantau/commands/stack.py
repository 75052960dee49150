"""Local stack and pipeline commands: infra, up/down, submit, alerts."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from pantau.localstack import SERVICES, LocalStack, StackError
from shared.settings import get_settings

console = Console(stderr=True)
infra_app = typer.Typer(help="The local Kafka broker and FerretDB (no Docker needed).", no_args_is_help=True)


def _stack() -> LocalStack:
    return LocalStack(get_settings())


def _fail(exc: Exception) -> None:
    console.print(f"[red]error:[/red] {exc}")
    raise typer.Exit(1)


@infra_app.command("up")
def infra_up() -> None:
    """Start Kafka (KRaft) and FerretDB, wait until both answer, create the topics."""
    try:
        _stack().infra_up()
    except (StackError, OSError) as exc:
        _fail(exc)
    infra_status()


@infra_app.command("down")
def infra_down() -> None:
    """Stop FerretDB and Kafka (data stays in the state directory)."""
    _stack().infra_down()
    console.print("infra stopped")


@infra_app.command("status")
def infra_status() -> None:
    """Show what runs, where, and where its logs are."""
    stack = _stack()
    table = Table("component", "state", "address")
    for row in stack.status():
        table.add_row(*row)
    console.print(table)
    console.print(f"state and logs: {stack.state_dir}")


def up(
    services: Annotated[Optional[list[str]], typer.Argument(help="services to start (default: all four)")] = None,
) -> None:
    """Start the local infra and the four services in the background; wait until they are ready."""
    names = tuple(services or SERVICES)
    stack = _stack()
    try:
        stack.infra_up()
        stack.services_up(names)
        stack.wait_services_ready(names)
    except (StackError, OSError) as exc:
        _fail(exc)
    infra_status()


def down() -> None:
    """Stop the four services, then the local infra."""
    stack = _stack()
    stack.services_down()
    stack.infra_down()
    console.print("all stopped")


def submit(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="content records v1, one JSON per line")],
) -> None:
    """Publish content records to pantau.content.submitted.v1, as an upstream crawler would.

    Lines are sent as they are (bad ones too: ingest dead-letters them with the reason), keyed by
    content id when the line parses.
    """
    from pantau.publish import publish_lines

    count = asyncio.run(publish_lines(get_settings(), path.read_bytes().splitlines()))
    console.print(f"published {count} records")


def alerts(
    agency: Annotated[Optional[str], typer.Option("--agency", help="only this agency code, e.g. PEMKOT-3374")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line (for tools)")] = False,
) -> None:
    """List alerts stored by notify (newest last)."""
    from pantau.queries import fetch_alerts

    rows = asyncio.run(fetch_alerts(get_settings(), agency))
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False, default=str))
        return
    table = Table("agency", "alert", "form", "NIP", "name", "content")
    for row in rows:
        table.add_row(row["agency_code"], row["alert_id"], row["classification"]["form"],
                      row["subject"]["nip"], row["subject"]["name"], row["content"]["url"] or "")
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(infra_app, name="infra")
    app.command()(up)
    app.command()(down)
    app.command()(submit)
    app.command()(alerts)
