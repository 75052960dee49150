"""Local stack and pipeline commands: infra, up/down, submit, alerts."""
from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from pantau.errors import EXIT_ERROR, OperatorError, require_kafka, require_store
from pantau.localstack import SERVICES, LocalStack, StackError
from shared.logging import mask_nips
from shared.settings import get_settings

console = Console(stderr=True, highlight=False, soft_wrap=True)
infra_app = typer.Typer(help="The local Kafka broker and FerretDB (no Docker needed).", no_args_is_help=True)
NEXT_STEP_REGISTRY = "next: import a registry with `pantau registry import REG.csv` (sample: deploy/sample/registry.csv)"


def _stack() -> LocalStack:
    return LocalStack(get_settings())


def _fail(exc: Exception) -> None:
    console.print(f"[red]error:[/red] {exc}", markup=True)
    raise typer.Exit(EXIT_ERROR)


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
    services: Annotated[Optional[list[str]], typer.Argument(help="services to start (default: all five)")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="seconds to wait for each service")] = 120,
) -> None:
    """Start the local infra and the services in the background; wait until they are ready.

    On a fresh state match is up but waits for a registry; `up` then says so and prints the next
    step. If something really fails to start, `up` shows the last meaningful log lines and stops
    what it started (what was already running stays).
    """
    names = tuple(services or SERVICES)
    unknown = [n for n in names if n not in SERVICES]
    if unknown:
        raise OperatorError(f"unknown service {', '.join(unknown)} — choose from {', '.join(SERVICES)}")
    stack = _stack()
    infra_was_running = stack.kafka.pid() is not None, stack.ferretdb.pid() is not None
    started: list[str] = []
    try:
        stack.infra_up()
        started = stack.services_up(names)
        states = stack.wait_services_ready(names, timeout=timeout, accept_waiting=True)
    except (StackError, OSError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        if started:
            stack.services_down(tuple(started))
        if not infra_was_running[1]:
            stack.ferretdb.stop()
        if not infra_was_running[0]:
            stack.kafka.stop(timeout=30)
        stopped = started + [n for n, was in zip(("kafka", "ferretdb"), infra_was_running) if not was]
        console.print(f"stopped what this command started: {', '.join(stopped) or 'nothing'}")
        raise typer.Exit(EXIT_ERROR)
    infra_status()
    waiting = [n for n, state in states.items() if state != "ready"]
    for name in waiting:
        console.print(f"{name}: up, {states[name]}")
    if waiting:
        console.print(NEXT_STEP_REGISTRY)
    else:
        console.print("all services ready; next: `pantau submit FILE` (sample: deploy/sample/content.jsonl)")


def down() -> None:
    """Stop the services, then the local infra."""
    stack = _stack()
    stack.services_down()
    stack.infra_down()
    console.print("all stopped")


def submit(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="content records v1, one JSON per line")],
    strict: Annotated[bool, typer.Option("--strict", help="refuse the whole file if any line is invalid")] = False,
    report: Annotated[Optional[Path], typer.Option("--report", help="write every rejected line (line, reason, fields) to this JSON file")] = None,
    send_invalid: Annotated[bool, typer.Option("--send-invalid", help="publish invalid lines too (ingest dead-letters them; for testing)")] = False,
) -> None:
    """Publish content records to pantau.content.submitted.v1, as an upstream crawler would.

    Every line is validated against content record v1 first. Invalid lines are listed with line
    number, field and reason and not sent; the rest is published, keyed by content id. Exit 0 when
    every line was valid, 1 when some were rejected, 2 when nothing was sent (`--strict` with an
    invalid line, or the broker unreachable).
    """
    from pantau.publish import check_lines, publish_lines

    settings = get_settings()
    checked = check_lines(path.read_bytes().splitlines())
    for bad in checked.rejected[:20]:
        console.print(f"  line {bad.line}: {bad.reason}", markup=False)
    if len(checked.rejected) > 20:
        console.print(f"  ... and {len(checked.rejected) - 20} more" + ("" if report else " (use --report FILE for all)"))
    if report:
        report.write_text(json.dumps([r.as_dict() for r in checked.rejected], indent=1, ensure_ascii=False))
    total = len(checked.valid) + len(checked.rejected)
    if strict and checked.rejected:
        raise OperatorError(f"{path}: {len(checked.rejected)} of {total} lines are invalid (listed above); "
                            "nothing published (--strict) — fix them and submit again")
    require_kafka(settings)
    lines = checked.valid + (checked.invalid if send_invalid else [])
    count = asyncio.run(publish_lines(settings, lines))
    rejected = "sent anyway (--send-invalid)" if send_invalid else "not sent"
    console.print(f"published {count} records from {path}; {len(checked.rejected)} invalid lines {rejected}")
    if checked.rejected and not send_invalid:
        raise typer.Exit(1)


AGE = re.compile(r"^(\d+)([mhdw])$")
AGE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MOMENT_HINT = "write an ISO date or date-time (2026-12-01, 2026-12-01T08:00+07:00) or an age (30m, 2h, 3d, 1w)"


def parse_moment(text: str, now: datetime | None = None) -> datetime:
    """An ISO date/date-time (no offset: UTC) or an age before ``now``, as an aware UTC datetime."""
    text = text.strip()
    if m := AGE.match(text):
        return (now or datetime.now(timezone.utc)) - timedelta(**{AGE_UNITS[m[2]]: int(m[1])})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a time: {MOMENT_HINT}") from None
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def parse_before(text: str):
    """A cursor printed by the previous page (``<time>/<alert id>``) or a moment, as above."""
    from shared.alert_log import Cursor

    moment, _, alert_id = text.partition("/")
    at = parse_moment(moment)
    return Cursor(at, alert_id) if alert_id else Cursor(at)


def alerts(
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="how many alerts at most")] = 50,
    since: Annotated[Optional[str], typer.Option(
        "--since", metavar="WHEN", help="only alerts from then on: 2h, 3d, 2026-12-01, 2026-12-01T08:00+07:00")] = None,
    before: Annotated[Optional[str], typer.Option(
        "--before", metavar="CURSOR", help="only older alerts: the cursor a previous page printed, or a time")] = None,
    agency: Annotated[Optional[str], typer.Option("--agency", help="only this agency code, e.g. PEMKOT-3374")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line (for tools; NIPs unmasked)")] = False,
    show_nip: Annotated[bool, typer.Option("--show-nip", help="print NIPs unmasked in the table")] = False,
) -> None:
    """List alerts stored by notify, newest first.

    Shows the 50 newest unless `--limit` says otherwise; the last line says whether older ones match
    too and how to see them. Examples:

        pantau alerts --since 2h --limit 200        # last 2 hours (or 30m, 3d, 1w)
        pantau alerts --since 2026-12-01T08:00+07:00
        pantau alerts --agency PEMKOT-3374 --json   # one agency, JSON lines
        pantau alerts --before 'CURSOR'             # next page (CURSOR: last line)

    A time without an offset is UTC.
    """
    from pantau.queries import fetch_alerts

    try:
        since_at = parse_moment(since) if since else None
    except typer.BadParameter as exc:
        raise typer.BadParameter(str(exc), param_hint="--since") from None
    try:
        cursor = parse_before(before) if before else None
    except typer.BadParameter as exc:
        raise typer.BadParameter(str(exc), param_hint="--before") from None
    settings = get_settings()
    require_store(settings)
    found = asyncio.run(fetch_alerts(settings, limit, since=since_at, before=cursor, agency=agency))
    if as_json:
        for row in found.rows:
            print(json.dumps(row, ensure_ascii=False, default=str))
    else:
        table = Table("created (UTC)", "agency", "alert", "form", "NIP", "name", "content")
        for row in found.rows:
            table.add_row(row["created_at"][:19].replace("T", " "), row["agency_code"], row["alert_id"],
                          row["classification"]["form"],
                          row["subject"]["nip"] if show_nip else mask_nips(row["subject"]["nip"]), row["subject"]["name"],
                          row["content"]["url"] or "")
        Console().print(table)
    if found.more is not None:
        console.print(f"{len(found.rows)} shown, more are older: next page with --before '{found.more.text()}'")
    else:
        console.print(f"{len(found.rows)} shown, no more match")



def register(app: typer.Typer) -> None:
    app.add_typer(infra_app, name="infra")
    app.command()(up)
    app.command()(down)
    app.command()(submit)
    app.command()(alerts)
