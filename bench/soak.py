"""Soak: hostile and valid input mixed at volume on the real pipeline; exits 1 when an invariant fails.

``python -m bench.soak [--duration 600] [--count 100000]`` (``make soak``; never part of ``make test``
or ``make bench``). The same Hypothesis strategies as the live fuzz suite (``tests/hostile.py``) make
a pool of hostile values once; the run then sends ``count`` records spread over ``duration`` seconds:
``--hostile-share`` of them hostile values from the pool (each rendered with fresh ids), the rest the
load mix (``pantau.loadgen``: a fifth partisan by registry people, each must alert), and
``--http-share`` of the sends as ``POST /v1/content`` bodies instead of topic records.

Invariants (each a failure when broken): no HTTP 5xx; every topic record is carried through
(classified) or dead-lettered by ingest with a reason, matched by partition and offset, so
accepted + dead-lettered + rejected == sent; none stored and not classified (half-accepted); every
valid record accepted; every must-alert record alerted, and no alert twice. Writes
``bench/results/soak.json``. Own stack on its own ports (``--port-base``, default 31000) and state
directory (``.run/soak``), wiped at the start and stopped at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = REPO_ROOT / ".run" / "soak"
RESULT = REPO_ROOT / "bench" / "results" / "soak.json"
STAGES = ("ingest", "classify", "match", "notify")
KEY = "soak-ingest-key"
KAFKA_VALUE_LIMIT = 1_000_000


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def environment(port_base: int) -> dict[str, str]:
    return {
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{port_base + 92}",
        "PANTAU_KAFKA_CONTROLLER_PORT": str(port_base + 93),
        "MONGODB_URI": f"mongodb://127.0.0.1:{port_base + 17}/pantau_soak",
        "PANTAU_API_PORT": str(port_base + 80),
        "PANTAU_INGEST_PORT": str(port_base + 81),
        "PANTAU_WEB_PORT_BASE": str(port_base + 160),
        "PANTAU_PUBLIC_URL": f"http://127.0.0.1:{port_base + 80}",
        "PANTAU_INGEST_API_KEYS": KEY,
        "PANTAU_KAFKA_SESSION_TIMEOUT_S": "6",
        "PANTAU_STATE_DIR": str(STATE_DIR),
    }


# -- the pool of hostile values -------------------------------------------------------------------------
def hostile_pool(size: int, seed: int) -> tuple[list, list]:
    """``size`` topic values and ``size // 4`` HTTP requests, drawn once by Hypothesis."""
    from hypothesis import HealthCheck, given, seed as hseed, settings, strategies as st

    from tests.hostile import CONTENT_TYPES, http_bodies, topic_keys, topic_values

    topic, http = [], []
    relaxed = settings(database=None, deadline=None, suppress_health_check=list(HealthCheck))

    @hseed(seed)
    @settings(relaxed, max_examples=size)
    @given(value=topic_values, key=topic_keys)
    def draw_topic(value, key):
        topic.append((value, key))

    @hseed(seed)
    @settings(relaxed, max_examples=max(1, size // 4))
    @given(body=http_bodies, ascii_only=st.booleans(), content_type=CONTENT_TYPES)
    def draw_http(body, ascii_only, content_type):
        http.append((body, ascii_only, content_type))

    draw_topic()
    draw_http()
    return topic, http


# -- metrics ------------------------------------------------------------------------------------------------
def scrape(settings, stage: str) -> dict[str, float] | None:
    from shared.kafka import WEB_PORT_OFFSETS

    port = settings.ingest_port if stage == "ingest" else settings.web_port_base + WEB_PORT_OFFSETS[stage]
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
    except OSError:
        return None
    out = {"processed": 0.0, "dead_lettered": 0.0, "lag": 0.0}
    for line in text.splitlines():
        if f'stage="{stage}"' not in line or line.startswith("#"):
            continue
        value = float(line.rsplit(" ", 1)[1])
        if line.startswith("pantau_events_total{"):
            out["processed" if 'outcome="processed"' in line else "dead_lettered"] += value
        elif line.startswith("pantau_consumer_lag{"):
            out["lag"] += value
    return out


class Watch:
    """Each stage's counters once a second; the largest consumer lag seen per stage."""

    def __init__(self, settings):
        self.settings, self.max_lag, self.last = settings, Counter(), {}

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.poll_once()
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except asyncio.TimeoutError:
                pass

    def poll_once(self) -> dict:
        for stage in STAGES:
            seen = scrape(self.settings, stage)
            if seen is not None:
                self.last[stage] = seen
                self.max_lag[stage] = max(self.max_lag[stage], int(seen["lag"]))
        return self.last


# -- the run -----------------------------------------------------------------------------------------------
async def send_load(settings, args, topic_pool, http_pool, watch: Watch) -> dict:
    import aiohttp
    from aiokafka import AIOKafkaProducer

    from pantau.loadgen import mixed_post
    from shared.kafka_client import client_options
    from shared.schemas import content_id_for
    from shared.topics import CONTENT_SUBMITTED
    from tests.hostile import Renderer, Valid, expected_content_id

    rng = random.Random(args.seed)
    renderer = Renderer(f"soak{int(time.time())}")
    producer = AIOKafkaProducer(**client_options(settings), acks="all", linger_ms=5,
                                max_request_size=2_000_000)
    await producer.start()
    url = f"http://127.0.0.1:{settings.ingest_port}/v1/content"
    state = {
        "on_topic": {},  # (partition, offset) -> (content id or None, must be accepted)
        "http_status": Counter(), "http_accepted_ids": set(), "must_alert": set(), "sent": Counter(),
        "http_5xx_examples": [],
    }
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch.run(stop))
    pending: list = []

    async def settle_sends() -> None:
        for future, raw, valid in pending:
            metadata = await future
            state["on_topic"][(metadata.partition, metadata.offset)] = (expected_content_id(raw), valid)
        pending.clear()

    def pick_hostile_topic_value():
        for _ in range(20):  # big values (over 64 KB) only at --big-share
            template, key = topic_pool[rng.randrange(len(topic_pool))]
            value, ascii_only = template
            raw = None if value is None else renderer.render(value, ascii_only)
            if raw is not None and len(raw) >= KAFKA_VALUE_LIMIT:
                continue
            if raw is not None and len(raw) > 65_536 and rng.random() > args.big_share:
                continue
            return raw, key or (b"tombstone" if raw is None else None), isinstance(value, Valid) and ascii_only
        return b"{}", None, False

    started = time.perf_counter()
    rate = args.count / args.duration
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            for n in range(args.count):
                delay = started + n / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                if time.perf_counter() - started > args.duration + 60:
                    log(f"behind schedule: stopping after {n:,} sends")
                    break
                hostile = rng.random() < args.hostile_share
                if rng.random() < args.http_share:
                    if hostile:
                        body, ascii_only, content_type = http_pool[rng.randrange(len(http_pool))]
                        raw = renderer.render(body, ascii_only)
                    else:
                        record, alerts = mixed_post(renderer.run + "h", n)
                        raw, content_type = json.dumps(record).encode(), "application/json"
                    headers = {"X-API-Key": KEY, **({"Content-Type": content_type} if content_type is not None else {})}
                    async with session.post(url, data=raw, headers=headers, skip_auto_headers=["Content-Type"]) as answer:
                        status, text = answer.status, await answer.read()
                    state["http_status"][str(status)] += 1
                    state["sent"]["http"] += 1
                    if status >= 500 and len(state["http_5xx_examples"]) < 5:
                        state["http_5xx_examples"].append({"status": status, "body": raw[:300].decode(errors="replace"),
                                                           "answer": text[:300].decode(errors="replace")})
                    if status == 202:
                        ids = [a["content_id"] for a in json.loads(text)["accepted"]]
                        state["http_accepted_ids"].update(ids)
                        if not hostile and alerts:
                            state["must_alert"].update(ids)
                    elif not hostile:
                        state["http_status"]["valid_refused"] += 1
                    continue
                if hostile:
                    raw, key, valid = pick_hostile_topic_value()
                else:
                    record, alerts = mixed_post(renderer.run, n)
                    raw, valid = json.dumps(record, ensure_ascii=False).encode(), True
                    key = content_id_for("x", record["external_id"]).encode()
                    if alerts:
                        state["must_alert"].add(key.decode())
                state["sent"]["topic_hostile" if hostile else "topic_valid"] += 1
                pending.append((await producer.send(CONTENT_SUBMITTED.name, value=raw, key=key), raw, valid))
                if len(pending) >= 2000:
                    await settle_sends()
                if n and n % max(1, args.count // 10) == 0:
                    last = watch.last
                    log(f"  sent {n:,}/{args.count:,} at {time.perf_counter() - started:.0f}s; processed: "
                        + ", ".join(f"{s} {int(v['processed'] + v['dead_lettered']):,}" for s, v in last.items()))
            await settle_sends()
    finally:
        await producer.stop()
        stop.set()
        await watcher
    state["send_s"] = time.perf_counter() - started
    return state


async def read_all(settings, topic: str, timeout: float = 120) -> list:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    from shared.kafka_client import client_options

    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False,
                                auto_offset_reset="earliest", max_poll_records=5000, fetch_max_bytes=50_000_000)
    await consumer.start()
    try:
        partitions, deadline = [], time.monotonic() + 30
        while not partitions:  # the client's first metadata may not list the topic yet
            await consumer._client.force_metadata_update()
            partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
            if not partitions:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no partitions found for {topic}")
                await asyncio.sleep(0.5)
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        # Explicit offsets: seek_to_beginning() can race the fetcher's first reset and skip records.
        for tp, first in (await consumer.beginning_offsets(partitions)).items():
            consumer.seek(tp, first)
        records, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all([await consumer.position(tp) >= end[tp] for tp in partitions]):
                break
            for messages in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
                records.extend(messages)
        return records
    finally:
        await consumer.stop()


def wait_quiet(settings, watch: Watch, into_ingest: int, timeout: float) -> bool:
    """Until ingest has handled every record on its topic and no stage moved for 10 s."""
    deadline, previous, still_since = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:
        seen = watch.poll_once()
        done = {s: int(v["processed"] + v["dead_lettered"]) for s, v in seen.items()}
        if done != previous:
            previous, still_since = done, time.monotonic()
        if done.get("ingest", 0) >= into_ingest and time.monotonic() - still_since >= 10:
            return True
        time.sleep(1)
    return False


def account(settings, state: dict, watch: Watch) -> dict:
    from pymongo import MongoClient

    from shared.mongo import database_name
    from shared.pages import page_rows
    from shared.topics import ALERTS, CONTENT_ACCEPTED, CONTENT_SUBMITTED

    letters = {}
    unmatched_letters = 0
    for message in asyncio.run(read_all(settings, CONTENT_SUBMITTED.dead_letter)):
        letter = json.loads(message.value)
        where = (letter.get("partition"), letter.get("offset"))
        if where in state["on_topic"]:
            letters[where] = letter
        else:
            unmatched_letters += 1  # an HTTP-accepted record dead-lettered by the stage: counted as missing below
    forwarded = Counter(m.key.decode() for m in asyncio.run(read_all(settings, CONTENT_ACCEPTED.name)))
    alerts = [json.loads(m.value) for m in asyncio.run(read_all(settings, ALERTS.name))]
    client = MongoClient(settings.mongodb_uri, serverSelectionTimeoutMS=5000)
    try:
        db = client[database_name(settings.mongodb_uri)]
        classified = {row["_id"] for page in db["classifications"].find({}) for row in page_rows(page)}
        stored = {d["_id"] for d in db["content_keys"].find({}, {"_id": 1})}
        in_flight = db["ingest_in_flight"].count_documents({}) + db["alerts_in_flight"].count_documents({})
    finally:
        client.close()

    outcome = Counter()
    half, lost, refused_valid, both = [], [], [], []
    for where, (content_id, valid) in state["on_topic"].items():
        if where in letters:
            outcome["dead_lettered"] += 1
            if content_id in stored:
                both.append(where)
            if valid:
                refused_valid.append(letters[where]["reason"][:200])
        elif content_id in classified:
            outcome["accepted"] += 1
        elif content_id in stored:
            half.append(where)
        else:
            lost.append(where)
    http_half = sorted(state["http_accepted_ids"] - classified)
    alert_ids = Counter(a["alert_id"] for a in alerts)
    alerted_contents = {a["content"]["content_id"] for a in alerts}
    from shared.schemas import ContentRecord

    def reason(letter: dict) -> str:
        field = (letter["fields"] or ["-"])[0].split(".")[0]
        known = field in ContentRecord.model_fields or field in ("-", "(record)")
        return f"{letter['error_type']}: {field if known else '(unknown field)'}"

    by_reason = Counter(reason(letter) for letter in letters.values())
    accepted_ids = [cid for w, (cid, _) in state["on_topic"].items() if w not in letters and cid in classified]
    shared_ids = len(accepted_ids) - len(set(accepted_ids))
    http_sent = state["sent"]["http"]
    http_rejected = sum(n for s, n in state["http_status"].items() if s.isdigit() and 400 <= int(s) < 500)
    http_5xx = sum(n for s, n in state["http_status"].items() if s.isdigit() and int(s) >= 500)
    result = {
        "sent": {"total": sum(state["sent"].values()), **state["sent"]},
        "topic": {"accepted": outcome["accepted"], "dead_lettered": outcome["dead_lettered"],
                  "dead_lettered_by_reason": dict(by_reason.most_common()),
                  "half_accepted": len(half), "stored_and_dead_lettered": len(both), "missing": len(lost),
                  "valid_dead_lettered": len(refused_valid), "unmatched_dead_letters": unmatched_letters},
        "http": {"by_status": dict(sorted(state["http_status"].items())), "accepted_records": len(state["http_accepted_ids"]),
                 "accepted_not_classified": len(http_half), "rejected": http_rejected, "5xx": http_5xx,
                 "5xx_examples": state["http_5xx_examples"]},
        "accepted_sharing_an_id": shared_ids,
        "forwarded_by_ingest": sum(forwarded.values()),
        "forwarded_twice": sum(1 for n in forwarded.values() if n > 1),
        "alerts": {"total": len(alerts), "must_alert": len(state["must_alert"]),
                   "must_alert_missing": len(state["must_alert"] - alerted_contents),
                   "duplicates": sum(n - 1 for n in alert_ids.values() if n > 1)},
        "in_flight_marks_left": in_flight,
        "max_consumer_lag": dict(watch.max_lag),
        "stages_at_end": {s: {k: int(v) for k, v in counts.items()} for s, counts in watch.last.items()},
        "examples": {"half_accepted": [str(w) for w in half[:5]], "missing": [str(w) for w in lost[:5]],
                     "valid_dead_lettered": refused_valid[:5], "http_accepted_not_classified": http_half[:5]},
    }
    failures = []
    topic_sent = state["sent"]["topic_hostile"] + state["sent"]["topic_valid"]
    if outcome["accepted"] + outcome["dead_lettered"] + len(half) + len(lost) != topic_sent:
        failures.append("topic accounting does not add up")
    if outcome["accepted"] + outcome["dead_lettered"] != topic_sent:
        failures.append(f"topic: accepted + dead-lettered != sent ({len(half)} half-accepted, {len(lost)} missing)")
    if state["http_status"]["202"] + http_rejected + http_5xx != http_sent:
        failures.append("http: accepted + rejected + 5xx != sent")
    checks = [("http 5xx", http_5xx), ("stored and dead-lettered", len(both)), ("valid records refused", len(refused_valid)),
              ("valid records refused over HTTP", state["http_status"]["valid_refused"]),
              ("HTTP-accepted not classified", len(http_half)), ("must-alert missing", result["alerts"]["must_alert_missing"]),
              ("duplicate alerts", result["alerts"]["duplicates"]), ("forwarded twice", result["forwarded_twice"]),
              ("accepted records sharing a content id (the accounting would blur)", shared_ids),
              ("ingest forwarded != accepted", abs(sum(forwarded.values()) - len(set(accepted_ids))
                                                   - len(state["http_accepted_ids"]))),
              ("in-flight marks left", in_flight)]
    failures += [f"{what}: {n}" for what, n in checks if n]
    result["invariants_failed"] = failures
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds the records are spread over (600)")
    parser.add_argument("--count", type=int, default=100_000, help="records to send (100,000)")
    parser.add_argument("--hostile-share", type=float, default=0.5, help="share of hostile values (0.5)")
    parser.add_argument("--http-share", type=float, default=0.05, help="share sent as POST /v1/content (0.05)")
    parser.add_argument("--big-share", type=float, default=0.02, help="share of hostile values over 64 KB kept (0.02)")
    parser.add_argument("--pool", type=int, default=2000, help="hostile values drawn by Hypothesis (2,000)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--port-base", type=int, default=31000, help="ports base+92/93 (Kafka), +17 (FerretDB), +80/81, +160..")
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()

    os.environ.update(environment(args.port_base))  # forced: an exported demo shell must not lead onto its ports
    sys.path.insert(0, str(REPO_ROOT))
    from pantau.localstack import LocalStack
    from shared.settings import Settings

    settings = Settings()
    stack = LocalStack(settings)
    log(f"state {STATE_DIR}, Kafka {settings.kafka_bootstrap_servers}, MongoDB {settings.mongodb_uri}, ingest {settings.ingest_port}")
    stack.services_down()
    stack.infra_down()
    shutil.rmtree(STATE_DIR, ignore_errors=True)
    began = time.time()
    try:
        log(f"drawing {args.pool:,} hostile values with Hypothesis (seed {args.seed})")
        topic_pool, http_pool = hostile_pool(args.pool, args.seed)
        log("starting Kafka, FerretDB and the four stages; importing the sample registry")
        stack.infra_up()
        stack.services_up(STAGES)
        stack.wait_services_ready(("ingest", "classify", "notify"), timeout=180)
        from services.match.domain.registry_csv import iter_raw
        from services.match.registry_import import import_registry

        import_registry(settings.mongodb_uri, iter_raw(REPO_ROOT / "deploy" / "sample" / "registry.csv"))
        stack.wait_services_ready(("match",), timeout=180)
        watch = Watch(settings)
        log(f"sending {args.count:,} records over {args.duration:.0f}s ({args.hostile_share:.0%} hostile, "
            f"{args.http_share:.0%} over HTTP)")
        state = asyncio.run(send_load(settings, args, topic_pool, http_pool, watch))
        into_ingest = len(state["on_topic"]) + len(state["http_accepted_ids"])
        log(f"sent in {state['send_s']:.0f}s; waiting for the stages to drain")
        drained = wait_quiet(settings, watch, into_ingest, timeout=600)
        result = account(settings, state, watch)
        if not drained:
            result["invariants_failed"].append("the stages did not drain within 600 s after the last send")
        stopped = [n for n in STAGES if stack.service(n).pid() is None]
        if stopped:
            result["invariants_failed"].append(f"service(s) exited: {', '.join(stopped)}")
    finally:
        log("stopping services and infra")
        stack.services_down()
        stack.infra_down()
    result = {"settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
              "send_s": round(state["send_s"], 1), "wall_s": round(time.time() - began, 1), **result,
              "ok": not result["invariants_failed"]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, indent=2, default=str))
    log(f"{'OK' if result['ok'] else 'FAILED: ' + '; '.join(result['invariants_failed'])} -> {args.out}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
