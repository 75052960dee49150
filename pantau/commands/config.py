"""`pantau check-config`: validate exactly what the services will load, before they load it.

Every path comes from the one configuration surface (``shared.config_paths.config_paths``:
``PANTAU_CONFIG_DIR`` plus the single-file overrides), the same resolver the services use; the
options below only replace one family for a check. Besides the YAML files it checks the settings
from the environment (as the services parse them) and that every webhook secret the routes need
is present (``secret_env`` variables, or ``<NAME>_FILE``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.console import Console

from shared.schemas import describe_validation_error

err = Console(stderr=True, highlight=False, soft_wrap=True)


def check_config(
    elections: Annotated[Optional[list[Path]], typer.Option("--elections", help="election YAML files or folders; default: the configuration surface")] = None,
    all_files: Annotated[bool, typer.Option("--include-inactive/--active-only", help="also load inactive (archived) elections")] = True,
    match_config: Annotated[Optional[Path], typer.Option("--match", help="match.yaml; default: the configuration surface")] = None,
    notify_dir: Annotated[Optional[Path], typer.Option("--notify-dir", help="folder with routes.yaml, agencies.yaml, sanctions.yaml")] = None,
    secrets: Annotated[bool, typer.Option("--secrets/--no-secrets", help="require every webhook secret the routes need (off: only the files)")] = True,
) -> None:
    """Validate the settings, the elections (contestants, cues), notify (routes, agencies,
    sanctions, webhook secrets), match (threshold) and retention configuration, from `PANTAU_CONFIG_DIR`
    (default: the configuration packaged with Pantau). Prints one line per file or problem; exits
    2 if anything is invalid, so it can gate a deployment."""
    from services.classify.domain.config import load_elections
    from services.match.domain.engine import load_config as load_match_config
    from services.dispatcher.channels.secrets import missing_secrets
    from services.notify.domain.config import load_notify_config
    from shared.config_paths import ConfigError, config_paths
    from shared.settings import Settings

    problems: list[str] = []
    try:
        Settings()
        from services.dispatcher.budget import BudgetSettings
        from services.agency_api.settings import WebSettings
        from services.dispatcher.settings import DispatcherSettings

        WebSettings()
        notify_settings = DispatcherSettings()
        BudgetSettings()
        if notify_settings.smtp_username and not notify_settings.smtp_password.get_secret_value():
            problems.append("settings: PANTAU_SMTP_USERNAME is set but PANTAU_SMTP_PASSWORD is empty")
    except ValidationError as exc:
        problems.append(f"settings: {describe_validation_error(exc)[0]}")
    paths = config_paths()
    err.print(f"configuration: {paths.config_dir} ({paths.source})")
    try:
        loaded = load_elections(elections or [paths.elections], include_inactive=all_files)
        for path, ef in loaded.files:
            state = "active" if ef.election.active else "inactive"
            err.print(f"[green]ok[/green] {path}: {ef.election.id} ({state}), {len(ef.races)} races, {len(ef.contestants)} contestants")
        problems += _classifier_model(loaded.window)
    except ConfigError as exc:
        problems += [f"elections: {p}" for p in exc.problems]
    try:
        notify = load_notify_config(notify_dir)
        for warning in notify.warnings:
            err.print(f"[yellow]warning:[/yellow] {warning}")
        err.print(f"[green]ok[/green] notify config (routes, agencies, sanctions): {notify.sources.get('routes')}")
        if secrets:
            for name, where in sorted(missing_secrets(notify).items()):
                problems.append(f"notify: webhook secret {name} is not set (needed by {', '.join(where)}); "
                                f"set {name} or {name}_FILE (see docs/operating.md)")
    except (ConfigError, FileNotFoundError) as exc:
        problems += [f"notify: {p}" for p in getattr(exc, "problems", [str(exc)])]
    try:
        cfg = load_match_config(match_config or paths.match)
        err.print(f"[green]ok[/green] match config {match_config or paths.match}: threshold {cfg.threshold} (review from {cfg.review_threshold})")
    except ValidationError as exc:
        problems.append(f"match: {describe_validation_error(exc)[0]}")
    except OSError as exc:
        problems.append(f"match: {getattr(exc, 'filename', None) or exc}: {exc.strerror or exc}")
    try:
        from shared.retention import load_policy

        policy = load_policy()
        err.print(f"[green]ok[/green] retention {paths.retention}:")
        for data, period in policy.rows():
            err.print(f"    {data}: {period}")
        matcher = load_match_config(match_config or paths.match)
        if matcher.rescreen_days > policy.content.rescreen_days:
            problems.append(f"retention: content.rescreen_days is {policy.content.rescreen_days} but match.yaml re-screens "
                            f"{matcher.rescreen_days} days back: posts older than the first are no longer kept; "
                            "make them equal")
    except ConfigError as exc:
        problems += [f"retention: {p}" for p in exc.problems]
    except (ValidationError, OSError):
        pass  # match.yaml's own problems are reported above
    for problem in problems:
        err.print(f"[red]error:[/red] {problem}", markup=True)
    if problems:
        raise typer.Exit(2)
    err.print("configuration OK")


def _classifier_model(window) -> list[str]:
    """Which trained component the classifier will use, and that its artefact is there."""
    from services.classify.domain import lexical, target_model

    if window.model == "off":
        err.print("[green]ok[/green] classifier: rules alone (classification.model: off)")
        return []
    loader, path = ((target_model.TargetModel.load, target_model.ARTEFACT) if window.model == "target"
                    else (lexical.LexicalModel.load, lexical.ARTEFACT))
    model = loader()
    if model is None:
        return [f"elections: classification.model is {window.model!r} but {path} is missing; run `make train` "
                "or set classification.model: off"]
    d = window.decision
    how = (f"side from p {d.p_partisan}, rules from {d.rule_sure} unless p < {d.p_floor}, only @-tagged x {d.tag_only}"
           if window.model == "target" else "grey zone")
    err.print(f"[green]ok[/green] classifier: {model.version} ({len(model.weights)} weights), {how}")
    return []


def register(app: typer.Typer) -> None:
    app.command("check-config")(check_config)
