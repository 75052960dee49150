"""`pantau retention status|run`: what the store holds per class of data and age, and applying
``config/retention.yaml`` now (the dispatcher also runs it once a day) or as if at another date."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Annotated, Optional

import typer
from rich.console import Console

from pantau.errors import OperatorError
from pantau.queries import run_with_store
from shared.settings import get_settings

err = Console(stderr=True, highlight=False, soft_wrap=True)
retention_app = typer.Typer(help="Retention (UU PDP storage limitation): what is held, and purging what is due.",
                            no_args_is_help=True)


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise OperatorError(f"--as-of {text!r}: give a date or time such as 2024-03-20 or 2024-03-20T08:00+07:00") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


AsOf = Annotated[Optional[str], typer.Option("--as-of", help="act as if it were this date or time (drills, tests)")]


@retention_app.command("status")
def status(as_of: AsOf = None, as_json: Annotated[bool, typer.Option("--json", help="one JSON document")] = False) -> None:
    """What is held: posts received, raw posts per day (and which days are due), posts kept behind cases,
    cases, alerts, review candidates, audit entries, and the last run. Reads no large collection."""
    from shared.retention import load_policy
    from shared.retention_run import status as held

    policy = load_policy()
    found = run_with_store(lambda db: held(db, policy, _moment(as_of)))
    if as_json:
        print(json.dumps(found, default=str, indent=1))
        return
    for data, period in found["policy"].items():
        err.print(f"policy  {data}: {period}")
    err.print(f"posts received (keys only): {found['posts_received']:,}; classifications: {found['classifications']:,}")
    for day in found["raw_posts_by_day"]:
        err.print(f"raw posts {day['day']}: {day['posts']:,}" + ("  [yellow]due: dropped by the next run[/yellow]" if day["due"] else ""))
    err.print(f"posts kept behind cases or reviews: {found['posts_behind_cases']:,}; cases: {found['cases']:,}; "
              f"alerts: {found['alerts']:,}; review candidates: {found['review_candidates']:,}; audit: {found['audit_entries']:,}")
    last = found["last_run"]
    err.print(f"last run: {last['ran_at']} (as of {last['as_of']})" if last else "last run: never")


@retention_app.command("run")
def run(as_of: AsOf = None, kafka: Annotated[bool, typer.Option("--kafka/--no-kafka", help="also set each topic's retention.ms")] = True) -> None:
    """Apply the policy: drop the raw-post days past `rescreen_days` (copying posts behind a case or review
    first), erase the personal data of closed cases past their period, delete old review candidates,
    notification log and audit entries, and set Kafka retention per topic. Prints what it did as JSON.

        pantau retention run
        pantau retention run --as-of 2024-06-01   # a drill: as if on that day
    """
    from shared.retention import load_policy
    from shared.retention_run import run as apply

    settings = get_settings()
    policy = load_policy()
    report = run_with_store(lambda db: apply(db, policy, _moment(as_of), settings if kafka else None))
    print(json.dumps(report, default=str, indent=1))


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")
