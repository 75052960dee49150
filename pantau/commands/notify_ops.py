"""`pantau notify failures|resend`: failed notifications, for operators (no API key needed: the
CLI talks to the store directly, as `agency key` does; every resend is audited)."""
from __future__ import annotations

import getpass
import json
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from pantau.errors import OperatorError
from pantau.queries import run_with_store
from shared.logging import mask_nips

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
notify_app = typer.Typer(help="Notification deliveries: failures and re-sending them.", no_args_is_help=True)


def _since(value: str | None):
    from pantau.dlq import parse_since

    try:
        return parse_since(value)
    except ValueError as exc:
        raise OperatorError(str(exc)) from None


@notify_app.command("failures")
def failures(
    since: Annotated[Optional[str], typer.Option("--since", help="2h, 7d or an ISO time")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10000)] = 100,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List failed notifications (newest first): id, receiver, integration, outcome, reason."""
    from services.notify.resend import list_failures

    when = _since(since)
    rows = run_with_store(lambda db: list_failures(db, since=when, limit=limit))
    if as_json:
        for row in rows:
            out.print(mask_nips(json.dumps(row, default=str, ensure_ascii=False)), markup=False)
        return
    table = Table("id", "failed at", "receiver", "integration", "outcome", "reason", "resent")
    for r in rows:
        created = r.get("created_at")
        table.add_row(r["id"], created.strftime("%Y-%m-%d %H:%M") if created else "-", r.get("receiver") or "-",
                      r.get("integration") or "-", r.get("outcome") or r.get("kind", "-"), mask_nips(r.get("reason", ""))[:100],
                      str(r.get("resend_count", 0)) if r.get("resent_at") else "")
    out.print(table)
    err.print(f"{len(rows)} failures" + ("; resend one with `pantau notify resend ID`" if rows else ""))


@notify_app.command("resend")
def resend(
    ids: Annotated[Optional[list[str]], typer.Argument(help="failure ids from `pantau notify failures`")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="resend every failure from this time on (not yet resent)")] = None,
) -> None:
    """Queue failed notifications again: same body, same Idempotency-Key, a fresh retry budget. The
    dispatcher sends them within a minute (or at its next start)."""
    from services.notify.resend import ResendError, list_failures, resend_failure
    from shared.schemas import utcnow

    if not ids and not since:
        raise OperatorError("say what to resend: failure ids or --since — see `pantau notify failures`")
    actor = f"cli:{getpass.getuser()}"
    when = _since(since)

    async def work(db):
        chosen = list(ids or [])
        if when is not None:
            chosen += [r["id"] for r in await list_failures(db, since=when, limit=10000, include_resent=False)
                       if r["id"] not in chosen]
        done, problems = [], []
        for failure_id in chosen:
            try:
                done.append(await resend_failure(db, failure_id, actor, utcnow()))
            except ResendError as exc:
                problems.append(exc.message)
        return done, problems

    done, problems = run_with_store(work)
    for item in done:
        err.print(f"queued {item.id} ({item.receiver}, {item.integration}) again, resend #{item.resend_count}")
    for problem in problems:
        err.print(f"  not resent: {problem}")
    err.print(f"{len(done)} queued, {len(problems)} not resent")
    if problems:
        raise typer.Exit(1 if done else 2)


def register(app: typer.Typer) -> None:
    app.add_typer(notify_app, name="notify")
