"""`pantau registry import`: load a registry CSV into MongoDB as a new version, then switch to it."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from tqdm import tqdm

from services.match.domain.registry_csv import RawRow, RegistryFormatError, RowError, iter_raw
from services.match.registry_import import import_registry
from pantau.errors import OperatorError, require_store
from shared.settings import get_settings

console = Console(stderr=True, soft_wrap=True)


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def _counting_agencies(rows: Iterable[RawRow | RowError], counts: Counter) -> Iterator[RawRow | RowError]:
    for row in rows:
        if isinstance(row, RawRow):
            counts[row.agency_code] += 1
        yield row


def unresolved_agencies(counts: Mapping[str, int], directory) -> dict[str, int]:
    """Rows per agency code the directory cannot resolve, most rows first: their cases could not
    reach the agency's PPK, nor could the agency get an API key."""
    unknown = [(code, rows) for code, rows in counts.items() if directory.resolve(code) is None]
    return dict(sorted(unknown, key=lambda item: (-item[1], item[0])))


def agency_warning(unknown: Mapping[str, int], max_listed: int = 30) -> list[str]:
    """The warning lines for ``unresolved_agencies`` (none when every code resolves)."""
    if not unknown:
        return []
    listed = list(unknown.items())[:max_listed]
    lines = [f"warning: {len(unknown)} agency code(s) in this file are not in the agency directory "
             f"({sum(unknown.values()):,} rows): their cases cannot be addressed to the agency and no agency key "
             "can be created for them — add them to config/agencies.yaml or central_agencies.yaml "
             "(or fix the codes):"]
    lines += [f"  {code}: {rows:,} row{'' if rows == 1 else 's'}" for code, rows in listed]
    if len(unknown) > max_listed:
        rest = list(unknown.values())[max_listed:]
        lines.append(f"  ... and {len(rest)} more codes ({sum(rest):,} rows)")
    return lines


def _warn_unknown_agencies(counts: Mapping[str, int]) -> None:
    from services.notify.domain.config import load_agency_directory
    from shared.config_paths import ConfigError

    try:
        directory = load_agency_directory()
    except ConfigError as exc:
        console.print(f"[yellow]warning:[/yellow] agency codes not checked, the agency directory is invalid: {exc}")
        return
    for line in agency_warning(unresolved_agencies(counts, directory)):
        console.print(line, style="yellow", markup=False, highlight=False)


def import_command(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="registry CSV (header: docs/contracts/registry-csv.md)")],
    max_error_rate: Annotated[float, typer.Option(help="refuse to switch if more than this share of rows is bad")] = 0.01,
    report: Annotated[Path | None, typer.Option(help="write every bad row (line, reason, field) to this JSON file")] = None,
    batch_size: Annotated[int, typer.Option(min=100, max=50_000, help="rows per stored chunk (one document each)")] = 5000,
) -> None:
    """Load REG.csv as a new registry version and switch the match service to it.

    Rows are validated as they stream in (NIP layout and dates, duplicate NIPs, gender vs NIP,
    agency and region codes, handles); bad rows are skipped and listed by line number. Agency
    codes the agency directory cannot resolve are listed with their row counts (a warning: the
    rows are loaded). The switch
    is one atomic update: the match service uses the previous version until then; from the moment
    this command reports the new version active, match workers hold records until they have loaded
    it (see `pantau registry status`), and partisan content of the last `rescreen_days` is matched
    again against it. Example:

        pantau registry import data/asn-2024-06.csv --report bad-rows.json
    """
    settings = get_settings()
    try:  # the header first: a wrong file is reported before anything touches the store
        next(iter_raw(path), None)
    except RegistryFormatError as exc:
        raise OperatorError(f"{path}: {exc} — see docs/contracts/registry-csv.md") from exc
    require_store(settings)
    agencies: Counter = Counter()
    with tqdm(total=max(0, _count_lines(path) - 1), unit=" rows", unit_scale=True, desc="import", file=None) as bar:
        try:
            result = import_registry(settings.mongodb_uri, _counting_agencies(iter_raw(path), agencies),
                                     batch_size=batch_size, max_error_rate=max_error_rate, on_progress=bar.update)
        except RegistryFormatError as exc:
            raise OperatorError(f"{path}: {exc} — see docs/contracts/registry-csv.md") from exc
    summary = result.summary(max_listed=20)
    for bad in summary["bad_row_examples"]:
        console.print(f"  line {bad['line']}: {bad['reason']} ({bad['field']}) {bad['detail']}")
    if len(result.bad_rows) > 20:
        console.print(f"  ... and {len(result.bad_rows) - 20} more" + ("" if report else " (use --report FILE for all)"))
    if report:
        report.write_text(json.dumps([b.as_dict() for b in result.bad_rows], indent=1))
    console.print(
        f"read {result.rows_read:,} rows, loaded {result.rows_loaded:,}, bad {len(result.bad_rows):,} "
        f"in {result.seconds:.1f}s ({result.rows_per_second:,.0f} rows/s)"
    )
    _warn_unknown_agencies(agencies)
    if not result.activated:
        console.print(f"[red]not activated:[/red] more than {max_error_rate:.1%} of rows are bad (or none loaded); "
                      "the previous registry version stays active. Fix the rows above or raise --max-error-rate.")
        raise typer.Exit(1)
    console.print(f"[green]registry version {result.version} is active[/green]: from now on every record "
                  "is matched against it (match workers hold records until they have loaded it; "
                  "see `pantau registry status`)")


def status_command(
    as_json: Annotated[bool, typer.Option("--json", help="print the status as one JSON object")] = False,
) -> None:
    """Active registry version, and what each running match worker has loaded (rows, loaded at).

    A worker whose heartbeat is older than 30 s is listed as stale (stopped or stuck). The active
    version's re-screen is done, in progress (lease held), or stalled (its worker stopped renewing
    the lease; another match worker takes it over).
    """
    from services.match.domain.rescreen import describe as describe_rescreen
    from services.match.registry_status import registry_status

    status = registry_status(get_settings().mongodb_uri)
    if as_json:
        typer.echo(json.dumps(status, default=str))
        return
    active = status["active"]
    if not active:
        console.print("no registry version is active: run `pantau registry import REG.csv`")
    else:
        console.print(f"active version {active['version']}: {active.get('rows_loaded') or 0:,} rows, "
                      f"activated {active.get('activated_at') or '?'}")
        if status.get("rescreen"):
            console.print(f"re-screen: {describe_rescreen(status['rescreen'])}")
    if not status["workers"]:
        console.print("no match worker has reported yet")
    for worker in status["workers"]:
        state = "stale" if worker["stale"] else ("current" if worker["current"] else "behind")
        loading = f", loading {worker['loading']}" if worker.get("loading") else ""
        console.print(f"  {worker['worker']}: {state}, version {worker.get('version') or '-'}, "
                      f"{worker.get('rows') or 0:,} rows, loaded {worker.get('loaded_at') or '-'}{loading}, "
                      f"heartbeat {worker.get('heartbeat_age_s')} s ago")


def register(app: typer.Typer) -> None:
    from pantau.commands.match import registry_app

    registry_app.command("import")(import_command)
    registry_app.command("status")(status_command)
