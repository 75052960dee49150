"""The match service's logic without faust, so any runner (the batched stage runner, the CLI) calls it.

* ``MatchRuntime.ensure_current_registry(db)``: the engine of the *active* registry version. When
  an import has activated a newer version than the one loaded, it loads it first and the records
  wait (``RegistryNotLoaded`` is transient: the batch is retried, never skipped). So once
  ``pantau registry import`` says a version is active, every record matched afterwards uses it.
* ``match_batch(engine, items, excluded)``: pure; results with how common each name is.
* ``result_rows`` / ``review_candidate_documents`` / ``matched_messages``: what is stored and
  published, insert-only with deterministic ids.
* ``rescreen(...)``: partisan content of the last ``rescreen_days`` matched again against a newly
  active version; reads ``classifications`` (which keep the message sent to match) and the previous results once each (FerretDB
  scans the whole collection on any filter), publishes only results that are new.
* ``RescreenRunner``: one re-screen per version across all workers, under a renewed lease; a claim
  whose worker died is taken over (decisions: ``services.match.domain.rescreen``).
* Heartbeats in ``registry_workers`` (one small document per worker) for ``pantau registry status``.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from services.match import registry_store
from services.match.domain import rescreen as lease
from services.match.domain.engine import MatchConfig, MatchEngine
from shared import topics
from shared.judgements import load_judgements
from shared.evidence import find_content
from shared.mongo import insert_new
from shared.pages import insert_rows, read_rows
from shared.retention import day_of
from shared.schemas import ContentClassified, ContentMatched, Match, utcnow
from shared.stage import Outgoing, TransientError
from shared.stored import MatchResult, ReviewCandidate, StoredClassification

log = logging.getLogger("pantau.match")

WORKERS = "registry_workers"
RESCREENS = "registry_rescreens"
STALE_AFTER_S = 30.0
LOAD_WAIT_S = 20.0

Result = tuple[ContentClassified, list[tuple[Match, int | None]]]
Publish = Callable[[Sequence[Outgoing]], Awaitable[None]]


class RegistryNotLoaded(TransientError):
    """Transient: the records wait until the active registry version is loaded."""


def build_engine(uri: str, version: str, config: MatchConfig | None = None) -> MatchEngine:
    """Runs in a worker thread with its own synchronous client, streaming the collection."""
    with registry_store.sync_people(uri, version) as (chunked, items):
        if chunked:
            return MatchEngine.from_rows(items, version, config)
        return MatchEngine.from_documents(items, version, config)


@dataclass
class MatchRuntime:
    uri: str
    config: MatchConfig | None = None
    engine: MatchEngine | None = None
    excluded: frozenset[tuple[str, str]] = frozenset()
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    loaded_at: datetime | None = None
    started_at: datetime = field(default_factory=utcnow)
    # Called once per newly loaded version, in the background (the service re-screens there).
    on_loaded: Callable[[MatchEngine], Awaitable[None]] | None = None
    build: Callable[[str, str, MatchConfig | None], MatchEngine] = build_engine
    _task: asyncio.Task | None = None
    _task_version: str | None = None
    _background: set[asyncio.Task] = field(default_factory=set)

    async def ensure_current_registry(self, db, wait: bool = True, timeout: float = LOAD_WAIT_S) -> MatchEngine | None:
        """The engine of the active version; loads it first if it is not the one in memory.

        ``wait=False`` (the timer) only starts the load and returns what is loaded now.
        """
        version = await registry_store.active_version(db)
        if version is None:
            if wait:
                raise RegistryNotLoaded("no registry loaded yet: run `pantau registry import REG.csv`")
            return self.engine
        if self.engine is not None and self.engine.registry_version == version:
            return self.engine
        task = self._start_load(db, version)
        if not wait:
            return self.engine
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except asyncio.TimeoutError as exc:
            raise RegistryNotLoaded(f"registry version {version} is active and still loading; records wait") from exc
        except Exception as exc:  # noqa: BLE001 - a failed load is retried with the batch
            raise RegistryNotLoaded(f"loading registry version {version} failed: {type(exc).__name__}: {exc}") from exc
        if self.engine is None or self.engine.registry_version != version:
            raise RegistryNotLoaded(f"registry version {version} is active and not loaded yet")
        return self.engine

    def _start_load(self, db, version: str) -> asyncio.Task:
        if self._task is not None and self._task_version == version and (
                not self._task.done() or self._task.exception() is None):
            return self._task
        self._task_version = version
        self._task = asyncio.ensure_future(self._load(db, version))
        return self._task

    async def _load(self, db, version: str) -> None:
        log.info("loading registry version", extra={"fields": {"version": version}})
        await self.heartbeat(db, loading=version)
        engine = await asyncio.to_thread(self.build, self.uri, version, self.config)
        if self._task_version != version:  # a newer version was requested meanwhile
            return
        self.engine, self.loaded_at = engine, utcnow()
        log.info("registry version loaded", extra={"fields": {"version": version, "rows": engine.size}})
        await self.heartbeat(db)
        if self.on_loaded is not None:
            task = asyncio.ensure_future(self.on_loaded(engine))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def refresh(self, db) -> None:
        """The timer: judgements, start loading a newly active version, heartbeat."""
        self.excluded = await load_judgements(db)
        await self.ensure_current_registry(db, wait=False)
        await self.heartbeat(db, loading=self._task_version if self._task and not self._task.done() else None)

    async def heartbeat(self, db, loading: str | None = None) -> None:
        """One small document per worker (replaced, never grown): what it has loaded."""
        engine = self.engine
        document = {"_id": self.worker_id, "version": engine.registry_version if engine else None,
                    "rows": engine.size if engine else 0, "loaded_at": self.loaded_at, "loading": loading,
                    "started_at": self.started_at, "heartbeat_at": utcnow()}
        try:
            await db[WORKERS].replace_one({"_id": self.worker_id}, document, upsert=True)
        except Exception as exc:  # noqa: BLE001 - "database is locked": the next beat retries
            log.warning("registry heartbeat failed", extra={"fields": {"error": f"{type(exc).__name__}: {exc}"[:200]}})


# --- pure parts -------------------------------------------------------------------------------
def match_batch(engine: MatchEngine, items: Iterable[ContentClassified],
                excluded: frozenset[tuple[str, str]] = frozenset()) -> list[Result]:
    return [(item, engine.match_with_frequency(item.record, excluded=excluded)) for item in items]


def result_rows(engine: MatchEngine, results: Sequence[Result], now: datetime,
                rescreen: bool = False) -> list[dict[str, Any]]:
    """``matches`` rows (``_id`` = content id), or for a re-screen ``<content id>@<version>``."""
    return [MatchResult.of(item.content_id, [m for m, _ in matches], engine.registry_version, now, rescreen).row()
            for item, matches in {item.content_id: (item, matches) for item, matches in results}.values()]


def review_candidate_documents(engine: MatchEngine, results: Sequence[Result], now: datetime) -> list[dict[str, Any]]:
    """``review_candidates``: one per review-band (content, person), for the analysts' queue. Insert-only
    here: a replay or a re-screen finds "already there" and keeps the analyst's decision."""
    documents: dict[str, dict[str, Any]] = {}
    for item, matches in results:
        for match, frequency in matches:
            if match.band == "review":
                candidate = ReviewCandidate.of(item, match, frequency, engine.registry_version, now)
                documents[candidate.review_id] = candidate.document()
    return list(documents.values())


def matched_messages(engine: MatchEngine, results: Sequence[Result]) -> list[Outgoing]:
    return [
        Outgoing(topics.CONTENT_MATCHED.name, item.content_id.encode(), ContentMatched(
            content_id=item.content_id, evidence_sha256=item.evidence_sha256, record=item.record,
            classification=item.classification, matches=[m for m, _ in matches],
            registry_version=engine.registry_version,
        ).model_dump_json().encode())
        for item, matches in results if matches
    ]


async def store_results(db, engine: MatchEngine, results: Sequence[Result], rescreen: bool = False) -> None:
    """Insert-only: results, then review candidates (a replay finds both "already there")."""
    now = utcnow()
    collection = MatchResult.RESCREEN_COLLECTION if rescreen else MatchResult.COLLECTION
    await insert_rows(db[collection], result_rows(engine, results, now, rescreen), time_field=MatchResult.TIME_FIELD,
                      tags=MatchResult.nips_in)
    await insert_new(db[ReviewCandidate.COLLECTION], review_candidate_documents(engine, results, now))


# --- re-screening ------------------------------------------------------------------------------
@dataclass
class RescreenReport:
    version: str
    since: datetime
    partisan: int = 0
    missing_content: int = 0
    rematched: int = 0
    new_results: int = 0
    new_match_band: int = 0
    claimed: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()}


def new_results(results: Sequence[Result], previous: dict[str, set[tuple[str, str]]]) -> list[Result]:
    """Re-screened items with a (person, band) that no earlier result of the item had."""
    return [(item, matches) for item, matches in results
            if matches and not {(m.nip, m.band) for m, _ in matches} <= previous.get(item.content_id, set())]


async def rescreen(db, engine: MatchEngine, since: datetime, publish: Publish,
                   excluded: frozenset[tuple[str, str]] = frozenset(), chunk: int = 500) -> RescreenReport:
    """Match partisan content classified since ``since`` again with ``engine``; publish what is new.

    Each collection is read once. An item is published only when it has a (person, band) the earlier
    results (re-screen results included) did not have, so alerts already sent are not re-sent and a
    repeated run resumes where the last one stored (notify also de-duplicates on alert_id = f(NIP,
    content id)); new `match` results open alerts as usual.
    """
    report = RescreenReport(engine.registry_version, since)
    slack = since - timedelta(days=1)  # content arrives before it is classified
    # What classify sent to match, rebuilt from its summary and the post it kept (config/retention.yaml:
    # a post older than rescreen_days is gone, and counted as missing).
    sent = [summary.content_id async for row in read_rows(db[StoredClassification.COLLECTION], since=since,
                                                          time_field=StoredClassification.TIME_FIELD)
            if (summary := StoredClassification.from_document(row)).went_to_match]
    report.partisan = len(sent)
    if not sent:
        return report
    posts = await find_content(db, sent, since=day_of(slack), include_cases=False)
    partisan = {cid: posts[cid].classified() if cid in posts else None for cid in sent}
    previous: dict[str, set[tuple[str, str]]] = {}
    for collection in (MatchResult.COLLECTION, MatchResult.RESCREEN_COLLECTION):
        async for row in read_rows(db[collection], since=slack, time_field=MatchResult.TIME_FIELD):
            content_id, pairs = MatchResult.pairs_in(row)
            if content_id in partisan:
                previous.setdefault(content_id, set()).update(pairs)
    items = []
    for sent in partisan.values():
        if sent is None:  # its post is no longer kept
            report.missing_content += 1
            continue
        items.append(sent)
    items.sort(key=lambda item: item.content_id)  # same order, same outcome, in every run
    for start in range(0, len(items), chunk):
        results = await asyncio.to_thread(match_batch, engine, items[start:start + chunk], excluded)
        report.rematched += len(results)
        fresh = new_results(results, previous)
        if not fresh:
            continue
        # Published, then stored: the stored result is what a repeated re-screen skips, so one cut off
        # between the two publishes the chunk again (notify drops the repeat by alert_id), never loses it.
        await publish(matched_messages(engine, fresh))
        await store_results(db, engine, fresh, rescreen=True)
        report.new_results += len(fresh)
        report.new_match_band += sum(any(m.band == "match" for m, _ in matches) for _, matches in fresh)
    return report


async def rescreen_state(db, version: str) -> lease.RescreenState:
    return lease.read_state(version, await db[RESCREENS].find(lease.state_filter(version)).to_list(None))


async def _keep_lease(db, version: str, claim: lease.Decision, lease_s: float) -> bool:
    """Renews the claim every third of its lease; returns True once another worker has taken it over."""
    while True:
        await asyncio.sleep(lease_s / 3)
        try:
            if lease.superseded(await rescreen_state(db, version), claim.generation):
                return True
            await db[RESCREENS].update_one({"_id": claim.claim_id},
                                           {"$set": {"lease_until": utcnow() + timedelta(seconds=lease_s)}})
        except Exception as exc:  # noqa: BLE001 - "database is locked": the next third retries
            log.warning("re-screen lease renewal failed",
                        extra={"fields": {"version": version, "error": f"{type(exc).__name__}: {exc}"[:200]}})


async def rescreen_claimed(db, engine: MatchEngine, claim: lease.Decision, publish: Publish, worker_id: str,
                           excluded: frozenset[tuple[str, str]], lease_s: float, chunk: int) -> RescreenReport | None:
    """Insert ``claim`` (the first insert of its ``_id`` wins), re-screen under its lease, record it done.

    None when another worker inserted the claim first, or took it over while this one stalled.
    """
    version = engine.registry_version
    document = lease.claim_document(version, claim, worker_id, utcnow(), lease_s)
    if claim.claim_id in await insert_new(db[RESCREENS], [document]):
        return None
    log.info("re-screen claimed", extra={"fields": {"version": version, "generation": claim.generation}})
    work = asyncio.ensure_future(rescreen(db, engine, claim.since, publish, excluded, chunk))
    keeper = asyncio.ensure_future(_keep_lease(db, version, claim, lease_s))
    try:
        finished, _ = await asyncio.wait({work, keeper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        keeper.cancel()
        work.cancel()  # a no-op once it has finished
    if work not in finished:  # the keeper found a newer claim: that worker re-screens now
        log.warning("re-screen taken over by another worker", extra={"fields": {"version": version}})
        return None
    report = work.result()
    await insert_new(db[RESCREENS], [{"_id": lease.done_id(version), **report.as_dict(), "worker": worker_id,
                                       "generation": claim.generation, "done_at": utcnow()}])
    log.info("re-screen done", extra={"fields": report.as_dict()})
    return report


@dataclass
class RescreenRunner:
    """At most one re-screen per process. Poked when a version is loaded and on every registry timer
    tick, so a claim whose lease ran out (its worker died, or its run failed) is taken over."""

    publish: Publish
    worker_id: str
    lease_s: float
    chunk: int
    _task: asyncio.Task | None = None
    _settled: str | None = None  # the version known done (or not to re-screen): no more reads

    def poke(self, db, engine: MatchEngine | None, excluded: frozenset[tuple[str, str]]) -> None:
        if engine is None or engine.registry_version == self._settled or (self._task and not self._task.done()):
            return
        self._task = asyncio.ensure_future(self._run(db, engine, excluded))

    async def _run(self, db, engine: MatchEngine, excluded: frozenset[tuple[str, str]]) -> None:
        version = engine.registry_version
        try:
            decision = lease.decide(version, await rescreen_state(db, version), utcnow(), engine.config.rescreen_days)
            if decision.action in ("done", "disabled"):
                self._settled = version
            elif decision.action in ("claim", "take_over"):
                await rescreen_claimed(db, engine, decision, self.publish, self.worker_id, excluded,
                                       self.lease_s, self.chunk)
        except Exception:  # noqa: BLE001 - its lease runs out and the next tick (here or elsewhere) takes it over
            log.exception("re-screen failed")
