"""`pantau check-config`: validate every YAML file under config/ before a service loads it."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.console import Console

from shared.schemas import describe_validation_error

err = Console(stderr=True)


def check_config(
    elections: Annotated[Optional[list[Path]], typer.Option("--elections", help="election YAML files or folders; default config/elections")] = None,
    all_files: Annotated[bool, typer.Option("--include-inactive/--active-only", help="also load inactive (archived) elections")] = True,
    match_config: Annotated[Optional[Path], typer.Option("--match", help="match.yaml; default config/match.yaml")] = None,
    notify_dir: Annotated[Optional[Path], typer.Option("--notify-dir", help="folder with routes.yaml, agencies.yaml, sanctions.yaml; default config/")] = None,
) -> None:
    """Validate the elections (contestants, cues), notify (routes, agencies, sanctions) and match
    (threshold) configuration. Prints one line per file or problem; exits 2 if anything is invalid,
    so it can gate a deployment."""
    from services.classify.domain.config import ConfigError, load_elections
    from services.match.domain.engine import load_config as load_match_config
    from services.notify.domain.config import NotifyConfigError, check_notify_config

    problems: list[str] = []
    try:
        for path, ef in load_elections(elections or None, include_inactive=all_files).files:
            state = "active" if ef.election.active else "inactive"
            err.print(f"[green]ok[/green] {path}: {ef.election.id} ({state}), {len(ef.races)} races, {len(ef.contestants)} contestants")
    except ConfigError as exc:
        problems += [f"elections: {p}" for p in exc.problems]
    try:
        for warning in check_notify_config(notify_dir):
            err.print(f"[yellow]warning:[/yellow] {warning}")
        err.print("[green]ok[/green] notify config (routes, agencies, sanctions)")
    except (NotifyConfigError, FileNotFoundError) as exc:
        problems += [f"notify: {p}" for p in getattr(exc, "problems", [str(exc)])]
    try:
        cfg = load_match_config(match_config)
        err.print(f"[green]ok[/green] match config: threshold {cfg.threshold} (review from {cfg.review_threshold})")
    except ValidationError as exc:
        problems.append(f"match: {describe_validation_error(exc)[0]}")
    except OSError as exc:
        problems.append(f"match: {exc}")
    for problem in problems:
        err.print(f"[red]error:[/red] {problem}")
    if problems:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.command("check-config")(check_config)
