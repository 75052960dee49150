"""The pipeline on the real local stack: registry import rows/s and end-to-end records/s.

Runs its own Kafka + FerretDB + services on its own ports and state directory (``.run/bench``),
so it never touches a running ``make demo`` (9092/27017/8080...) or the test suite
(19092/37017/18080...). The state directory is wiped at the start; everything is stopped at the end.

1. Registry import: ``pantau registry generate`` writes N people (200 k; quick: 20 k), then the
   function behind ``pantau registry import`` loads them (validation, batched ``insert_many``,
   activation). Baseline in the same run: plain PyMongo ``insert_many`` of N small dicts, same batch
   size. A split pass times parse + validate (ours) and a bare ``insert_many`` of the very documents
   the import writes (the store's) separately.
2. End to end at volume (1,000,000 records; quick: 100,000): the sample registry is active, the
   four stages run, and the whole load of the mix (20 % partisan by registered handles, 20 %
   partisan by strangers, 60 % neutral) is published to the ingest topic at once, as a crawler's
   burst. We time until every stage's processed-event counter reaches its target, report records/s
   overall and per tenth of the run (last tenth / first tenth: no decay as collections grow), CPU
   seconds per process, and read ``pantau.alerts.v1`` to check every must-alert record alerted
   exactly once. Then, on the filled store, a steady 500 records/s for 60 s (quick: 30 s) gives the
   ingest -> alert latency (p50/p90/p99). Baselines in the same run: a raw aiokafka consume ->
   produce hop (batches of 500, sends awaited together) and a bare ``insert_many`` of
   content-shaped documents; the pipeline / raw hop ratio is the headline ratio.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_STATE_DIR = REPO_ROOT / ".run" / "bench"
BENCH_ENV = {
    "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:29092",
    "PANTAU_KAFKA_CONTROLLER_PORT": "29093",
    "MONGODB_URI": "mongodb://127.0.0.1:47017/pantau_bench",
    "PANTAU_API_PORT": "28080",
    "PANTAU_INGEST_PORT": "28081",
    "PANTAU_WEB_PORT_BASE": "26060",
    "PANTAU_PUBLIC_URL": "http://127.0.0.1:28080",
    "PANTAU_INGEST_API_KEYS": "bench-ingest-key",
    "PANTAU_KAFKA_SESSION_TIMEOUT_S": "6",
    "PANTAU_STATE_DIR": str(BENCH_STATE_DIR),
}
# `PANTAU_BENCH_RETENTION=off`: the same run with every raw post kept (the policy's comparison run).
if os.environ.get("PANTAU_BENCH_RETENTION") == "off":
    _KEEP_ALL = BENCH_STATE_DIR.parent / "retention-off.yaml"
    _KEEP_ALL.parent.mkdir(parents=True, exist_ok=True)
    _KEEP_ALL.write_text("content: {keep_raw_not_partisan: true}\n", encoding="utf-8")
    BENCH_ENV["PANTAU_RETENTION_CONFIG"] = str(_KEEP_ALL)
# Forced, not setdefault: a shell that exported the demo's settings must not lead us onto its ports.
os.environ.update(BENCH_ENV)

from pantau.loadgen import mixed_posts  # noqa: E402
from shared.kafka_client import client_options  # noqa: E402
from shared.settings import Settings  # noqa: E402  (after the environment is set)

STAGES = ("ingest", "classify", "match", "notify")
BATCH_SIZE = 5000  # the import's default batch size, used for the insert_many baseline too
STALL_S = 180.0  # no stage counter moved for this long: give up and say what is stuck


class BenchError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"[bench pipeline {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _settings() -> Settings:
    settings = Settings()  # fresh, never the cached one another bench module may have read
    for key, expected in (("kafka_bootstrap_servers", BENCH_ENV["KAFKA_BOOTSTRAP_SERVERS"]),
                          ("mongodb_uri", BENCH_ENV["MONGODB_URI"]), ("state_dir", BENCH_STATE_DIR)):
        if getattr(settings, key) != type(getattr(settings, key))(expected):
            raise BenchError(f"settings.{key} is {getattr(settings, key)!r}, expected the bench's {expected!r}")
    return settings


def _cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    pantau = Path(sys.executable).parent / "pantau"
    try:
        done = subprocess.run([str(pantau), *args], capture_output=True, text=True, timeout=timeout,
                              env=os.environ.copy(), cwd=REPO_ROOT)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"`pantau {' '.join(args)}` did not finish within {timeout:.0f}s") from exc
    if done.returncode != 0:
        raise BenchError(f"`pantau {' '.join(args)}` failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done


def _mongo():
    from pymongo import MongoClient

    from shared.mongo import database_name

    uri = BENCH_ENV["MONGODB_URI"]
    client = MongoClient(uri, serverSelectionTimeoutMS=5000, tz_aware=True)
    return client, client[database_name(uri)]


# -- 1. registry import ---------------------------------------------------------------------------
def _baseline_insert_many(db, count: int) -> dict:
    scratch = db["bench_scratch_insert_many"]
    scratch.drop()
    started, stored = time.perf_counter(), 0
    for start in range(0, count, BATCH_SIZE):
        done = scratch.insert_many([{"_id": i, "n": i, "s": f"row-{i}"} for i in range(start, min(count, start + BATCH_SIZE))],
                                   ordered=False)
        stored += len(done.inserted_ids)
    elapsed = time.perf_counter() - started
    scratch.drop()
    if stored != count:
        raise BenchError(f"baseline insert_many stored {stored} of {count} documents")
    return {"rows": count, "seconds": round(elapsed, 2), "rows_per_s": round(count / elapsed)}


def _parse_then_insert(db, path: Path) -> dict:
    """One pass, two clocks: parse + validate + pack the rows into chunk documents, and a bare
    ``insert_one`` of each chunk.

    Splits the import's time into our code and the store's write of the same documents.
    """
    from services.match import registry_store
    from services.match.domain.registry_csv import RowError, iter_raw

    scratch = db["bench_scratch_chunks"]
    scratch.drop()
    parse_s = insert_s = 0.0
    rows, batch, chunks = 0, [], 0
    clock = time.perf_counter()
    for row in itertools.chain(iter_raw(path), [None]):  # None: flush the last chunk
        if isinstance(row, RowError):
            continue
        if row is not None:
            batch.append(row)
        if len(batch) >= BATCH_SIZE or row is None and batch:
            document = registry_store.packed_chunk(chunks, batch)
            now = time.perf_counter()
            parse_s += now - clock
            scratch.insert_one(document)
            rows, chunks, batch = rows + len(batch), chunks + 1, []
            clock = time.perf_counter()
            insert_s += clock - now
    scratch.drop()
    return {"rows": rows, "parse_s": round(parse_s, 2), "parse_rows_per_s": round(rows / parse_s),
            "insert_s": round(insert_s, 2), "insert_rows_per_s": round(rows / insert_s)}


def bench_import(settings: Settings, count: int) -> dict:
    from services.match.domain.registry_csv import iter_raw
    from services.match.registry_import import import_registry

    path = BENCH_STATE_DIR / f"registry-{count}.csv"
    log(f"generating a registry of {count:,} people: pantau registry generate --count {count} --seed 1")
    started = time.perf_counter()
    _cli("registry", "generate", "--count", str(count), "--seed", "1", "--out", str(path))
    generate_s = time.perf_counter() - started

    client, db = _mongo()
    try:
        log(f"baseline: plain insert_many of {count:,} small dicts (batches of {BATCH_SIZE:,})")
        baseline = _baseline_insert_many(db, count)
        log(f"  {baseline['rows_per_s']:,} rows/s")
        log("split: parse + validate + pack chunk documents, then a bare insert_one of each")
        split = _parse_then_insert(db, path)
        log(f"  parse {split['parse_rows_per_s']:,} rows/s, insert_many {split['insert_rows_per_s']:,} rows/s")
    finally:
        client.close()

    log(f"importing {count:,} rows (services.match.registry_import.import_registry, as `pantau registry import`)")
    progress = {"done": 0, "next": count // 10}

    def on_progress(n: int) -> None:
        progress["done"] += n
        if progress["done"] >= progress["next"]:
            log(f"  imported {progress['done']:,}/{count:,}")
            progress["next"] += count // 10

    started = time.perf_counter()
    report = import_registry(settings.mongodb_uri, iter_raw(path), batch_size=BATCH_SIZE, on_progress=on_progress)
    wall = time.perf_counter() - started
    if not report.activated or report.rows_loaded != count:
        raise BenchError(f"registry import loaded {report.rows_loaded:,} of {count:,} rows "
                         f"({len(report.bad_rows)} bad, activated={report.activated}): {report.bad_rows[:3]}")
    rows_per_s = count / wall
    log(f"  {rows_per_s:,.0f} rows/s ({wall:.1f}s incl. activation); baseline ratio {rows_per_s / baseline['rows_per_s']:.2f}")
    from services.match.domain.engine import MatchEngine
    from services.match.worker import build_engine

    log("a match worker's load of the imported version (read from the store, indexed), and the file's index")
    started = time.perf_counter()
    loaded = build_engine(settings.mongodb_uri, report.version).size
    worker_load_s = time.perf_counter() - started
    started = time.perf_counter()
    MatchEngine.from_csv(path, report.version, validate=False, workers=1)
    file_index_s = time.perf_counter() - started
    log(f"  {worker_load_s:.1f}s for {loaded:,} people; the file's index alone {file_index_s:.1f}s")
    return {
        "worker_load_s": round(worker_load_s, 2),
        "worker_load_vs_file_index": round(worker_load_s / file_index_s, 2),
        "rows": count,
        "generate_s": round(generate_s, 2),
        "import_s": round(wall, 2),
        "import_rows_per_s": round(rows_per_s),
        "import_load_s_excl_activation": round(report.seconds, 2),
        "baseline_insert_many_small_dicts_s": baseline["seconds"],
        "baseline_insert_many_small_dicts_rows_per_s": baseline["rows_per_s"],
        "import_vs_baseline_insert_many": round(rows_per_s / baseline["rows_per_s"], 3),
        "split_parse_validate_s": split["parse_s"],
        "split_parse_validate_rows_per_s": split["parse_rows_per_s"],
        "split_insert_chunks_s": split["insert_s"],
        "split_insert_chunks_rows_per_s": split["insert_rows_per_s"],
        "registry_file_mb": round(path.stat().st_size / 1e6, 1),
    }


# -- 2. end to end ----------------------------------------------------------------------------------
def _content_docs(start: int, count: int) -> list[dict]:
    """Documents shaped like the ``content`` collection's (record, raw bytes, hash)."""
    from pantau.loadgen import mixed_post

    docs = []
    for i in range(start, start + count):
        record, _ = mixed_post("baseline", i)
        raw = json.dumps(record)
        docs.append({"_id": f"ct_baseline_{i:08d}", "source": "x", "external_id": record["external_id"],
                     "record": record, "raw": raw, "evidence_sha256": "0" * 64, "received_at": time.time()})
    return docs


def _baseline_insert_many_content(db, count: int) -> dict:
    """A bare unordered ``insert_many`` of content-shaped documents in batches of 500 (the stages' size)."""
    scratch = db["bench_scratch_content"]
    scratch.drop()
    elapsed = 0.0
    for start in range(0, count, 500):
        docs = _content_docs(start, min(500, count - start))
        began = time.perf_counter()
        scratch.insert_many(docs, ordered=False)
        elapsed += time.perf_counter() - began
    scratch.drop()
    return {"docs": count, "seconds": round(elapsed, 2), "docs_per_s": round(count / elapsed)}


async def _raw_hop(settings: Settings, count: int) -> dict:
    """aiokafka alone: produce ``count`` records, then consume -> produce them with each batch's sends
    awaited together (what one stage does, minus our code and the store)."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    source, sink = f"bench.hop.in.{int(time.time())}", f"bench.hop.out.{int(time.time())}"
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    await admin.create_topics([NewTopic(t, num_partitions=settings.topic_partitions, replication_factor=1)
                               for t in (source, sink)])
    await admin.close()
    producer = AIOKafkaProducer(**client_options(settings), acks="all", linger_ms=5)
    await producer.start()
    from pantau.loadgen import mixed_post

    values = [json.dumps(mixed_post("hop", i)[0]).encode() for i in range(min(count, 1000))]
    try:
        pending = [await producer.send(source, values[i % len(values)], key=str(i).encode()) for i in range(count)]
        await asyncio.gather(*pending)
        consumer = AIOKafkaConsumer(source, **client_options(settings), group_id=source,
                                    auto_offset_reset="earliest", enable_auto_commit=False, max_poll_records=500)
        await consumer.start()
        moved, started = 0, time.perf_counter()
        try:
            while moved < count:
                batches = await consumer.getmany(timeout_ms=1000, max_records=500)
                sends = [await producer.send(sink, m.value, key=m.key) for ms in batches.values() for m in ms]
                await asyncio.gather(*sends)
                await consumer.commit()
                moved += len(sends)
            elapsed = time.perf_counter() - started
        finally:
            await consumer.stop()
    finally:
        await producer.stop()
    return {"records": count, "seconds": round(elapsed, 2), "records_per_s": round(count / elapsed)}


async def _produce(settings: Settings, run: str, indexes, rate: float | None, sent_at: dict | None = None) -> float:
    """Publish records of the mix to the ingest topic, as an upstream crawler would; returns seconds.

    ``rate`` None: as fast as the broker takes them. Otherwise a steady ``rate`` records/s, and
    ``sent_at`` gets each must-alert content id's send time (for latency).
    """
    from aiokafka import AIOKafkaProducer

    from pantau.loadgen import mixed_post
    from shared.schemas import content_id_for
    from shared.topics import CONTENT_SUBMITTED

    producer = AIOKafkaProducer(**client_options(settings), acks="all", linger_ms=5)
    await producer.start()
    started = time.perf_counter()
    try:
        pending = []
        for n, i in enumerate(indexes):
            record, alerts = mixed_post(run, i)
            cid = content_id_for("x", record["external_id"])
            if rate is not None:
                delay = started + n / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                if alerts and sent_at is not None:
                    sent_at[cid] = time.time()
            pending.append(await producer.send(CONTENT_SUBMITTED.name, json.dumps(record, ensure_ascii=False).encode(),
                                               key=cid.encode()))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return time.perf_counter() - started


async def _read_alerts(settings: Settings, until_count: int, timeout: float, start_at_end: bool = False,
                       on_alert=None) -> list:
    """Records of ``pantau.alerts.v1`` (from the beginning, or from now on) until ``until_count`` arrived."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    from shared.topics import ALERTS

    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False,
                                auto_offset_reset="earliest", max_poll_records=5000)
    await consumer.start()
    try:
        partitions = [TopicPartition(ALERTS.name, p) for p in sorted(consumer.partitions_for_topic(ALERTS.name) or
                                                                      await _partitions(consumer, ALERTS.name))]
        consumer.assign(partitions)
        # Explicit offsets: seek_to_beginning/end() can race the fetcher's first reset.
        starts = await (consumer.end_offsets if start_at_end else consumer.beginning_offsets)(partitions)
        for tp, first in starts.items():
            consumer.seek(tp, first)
        records, deadline = [], time.monotonic() + timeout
        while len(records) < until_count and time.monotonic() < deadline:
            for messages in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
                records.extend(messages)
                if on_alert:
                    for message in messages:
                        on_alert(message)
        return records
    finally:
        await consumer.stop()


async def _partitions(consumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic) or set()


def _tenths(history: list, targets: dict[str, int]) -> list[dict]:
    """End-to-end progress per tenth of the run: the slowest stage's share of its own target."""
    marks, out, previous_t, previous_done = [i / 10 for i in range(1, 11)], [], 0.0, 0
    total = targets["ingest"]
    for t, seen in history:
        progress = min((seen[s][0] if seen[s] else 0) / max(1, want) for s, want in targets.items())
        while marks and progress >= marks[0] - 1e-9:
            done = round(marks.pop(0) * total)
            out.append({"tenth": len(out) + 1, "at_s": round(t, 1),
                        "records_per_s": round((done - previous_done) / max(1e-6, t - previous_t), 1)})
            previous_t, previous_done = t, done
    return out


def bench_end_to_end(settings: Settings, stack, total: int, steady_s: float) -> dict:
    from pantau.loadgen import is_partisan

    sample = REPO_ROOT / "deploy" / "sample" / "registry.csv"
    log(f"importing the sample registry: pantau registry import {sample.relative_to(REPO_ROOT)}")
    _cli("registry", "import", str(sample))
    client, db = _mongo()
    try:
        hop_n = min(total, 200_000)
        log(f"baseline: raw aiokafka consume -> produce hop of {hop_n:,} records (batches of 500, sends awaited together)")
        hop = asyncio.run(_raw_hop(settings, hop_n))
        log(f"  {hop['records_per_s']:,} records/s")
        log("baseline: bare insert_many of 100,000 content-shaped documents, batches of 500")
        insert_many = _baseline_insert_many_content(db, 100_000)
        log(f"  {insert_many['docs_per_s']:,} documents/s")

        # The four stages only: the agency API's dispatcher works on cases, after analysts act, and
        # has its own benchmark (bench_dispatcher); here it would measure its case scans, not the stream.
        log("starting ingest, classify, match and notify")
        began = time.perf_counter()
        stack.services_up(STAGES)
        stack.wait_services_ready(STAGES, timeout=180)
        services_ready_s = time.perf_counter() - began

        run = f"bench{int(time.time())}"
        partisan = sum(1 for i in range(total) if is_partisan(i))
        must_alert = sum(1 for i in range(total) if i % 5 == 0)
        targets = {"ingest": total, "classify": total, "match": partisan, "notify": must_alert}
        log(f"volume: publishing {total:,} records to the ingest topic ({partisan:,} partisan, {must_alert:,} must alert)")
        cpu_before = _cpu_seconds(stack)
        history: list = []
        started = time.perf_counter()
        produce_s = asyncio.run(_produce(settings, run, range(total), None))
        log(f"  published in {produce_s:.1f}s")
        reached = _wait_stages(settings, stack, targets, 600 + total * 0.01, started, history,
                               f"{total:,} records through the pipeline")
        e2e_s = max(reached.values())
        cpu_after, window = _cpu_seconds(stack), time.perf_counter() - started
        stages = {stage: scrape_stage(settings, stage) for stage in STAGES}
        tenths = _tenths(history, targets)
        log("reading pantau.alerts.v1 to check every must-alert record alerted exactly once")
        alerts = asyncio.run(_read_alerts(settings, must_alert, timeout=300))
        alert_ids = [json.loads(m.value)["alert_id"] for m in alerts]
        contents = {json.loads(m.value)["content"]["content_id"] for m in alerts}

        rate = 500.0
        steady_n = int(rate * steady_s)
        log(f"latency: a steady {rate:.0f} records/s for {steady_s:.0f}s ({steady_n:,} records) on the filled store")
        sent_at: dict[str, float] = {}
        latencies: list[float] = []

        def on_alert(message) -> None:
            content_id = json.loads(message.value)["content"]["content_id"]
            if content_id in sent_at:
                latencies.append(message.timestamp / 1000 - sent_at[content_id])

        async def steady() -> float:
            steady_alerts = sum(1 for i in range(steady_n) if i % 5 == 0)
            reader = asyncio.create_task(_read_alerts(settings, steady_alerts, timeout=steady_s + 120,
                                                      start_at_end=True, on_alert=on_alert))
            await asyncio.sleep(2)  # the reader is positioned at the end before the first record goes out
            seconds = await _produce(settings, f"{run}s", range(steady_n), rate, sent_at)
            await reader
            return seconds

        steady_produce_s = asyncio.run(steady())
        latencies.sort()
        time.sleep(3)  # the last batch deletes its in-flight mark just after its alerts are acknowledged
        # Only the small collections: on FerretDB even a count reads every document.
        written = {name: db[name].count_documents({}) for name in ("ingest_in_flight", "alerts_in_flight")}
    finally:
        client.close()

    def pct(q: float) -> float | None:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 3) if latencies else None

    rec_per_s = total / e2e_s
    cpu = {name: round(cpu_after[name] - cpu_before[name], 1) for name in cpu_before
           if cpu_after[name] == cpu_after[name]}  # NaN: a process not running in this bench (the API)
    duplicates = len(alert_ids) - len(set(alert_ids))
    result = {
        "records": total,
        "mix": {"partisan": partisan, "must_alert": must_alert, "neutral": total - partisan},
        "services_ready_s": round(services_ready_s, 1),
        "publish_s": round(produce_s, 1),
        "stage_done_s": {s: round(t, 1) for s, t in reached.items()},
        "e2e_s": round(e2e_s, 1),
        "e2e_records_per_s": round(rec_per_s, 1),
        "tenths": tenths,
        "last_tenth_vs_first": round(tenths[-1]["records_per_s"] / tenths[0]["records_per_s"], 3) if len(tenths) == 10 else None,
        "alerts_on_topic": len(alert_ids),
        "duplicate_alerts": duplicates,
        "must_alert_missing": must_alert - len({c for c in contents}),
        "steady_rate_per_s": rate,
        "steady_records": steady_n,
        "steady_publish_s": round(steady_produce_s, 1),
        "latency_samples": len(latencies),
        "latency_ingest_to_alert_s": {"p50": pct(0.5), "p90": pct(0.9), "p99": pct(0.99), "max": pct(1.0)},
        "baseline_raw_hop": hop,
        "baseline_insert_many": insert_many,
        "e2e_vs_raw_hop": round(rec_per_s / hop["records_per_s"], 4),
        "ninth_vs_second_tenth": round(tenths[8]["records_per_s"] / tenths[1]["records_per_s"], 3) if len(tenths) == 10 else None,
        "ferretdb_cpu_us_per_record": round(cpu.get("ferretdb", 0) / total * 1e6, 1),
        "store_bytes_on_disk": _disk_bytes(BENCH_STATE_DIR / "ferretdb"),
        "retention": os.environ.get("PANTAU_BENCH_RETENTION", "on"),
        "documents": written,
        "stages": stages,
        "cpu_s_by_process": cpu,
        "cpu_window_s": round(window, 1),
        "cpu_total_share_of_machine": round(sum(cpu.values()) / (window * (os.cpu_count() or 1)), 2),
        "note": "volume: every record published at once to the ingest topic (a crawler's burst), then times from the "
                "first publish until each stage's processed-event counter reached its target. tenths: the end-to-end "
                "progress (the slowest stage's share of its target) per tenth of the run. latency: Kafka timestamp of the "
                "alert minus the time its content record was published, at a steady rate, after the volume run "
                "(collections full). cpu_s_by_process covers the volume phase.",
    }
    log(f"end to end: {rec_per_s:,.1f} records/s over {total:,} ({e2e_s:.1f}s); last/first tenth "
        f"{result['last_tenth_vs_first']}; duplicates {duplicates}; p99 latency {result['latency_ingest_to_alert_s']['p99']}s")
    return result


def _metrics_url(settings: Settings, stage: str) -> str:
    from shared.kafka import WEB_PORT_OFFSETS

    port = settings.ingest_port if stage == "ingest" else settings.web_port_base + WEB_PORT_OFFSETS[stage]
    return f"http://127.0.0.1:{port}/metrics"


def scrape_stage(settings: Settings, stage: str) -> dict:
    from prometheus_client.parser import text_string_to_metric_families

    url = _metrics_url(settings, stage)
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            text = response.read().decode()
    except OSError as exc:
        raise BenchError(f"could not scrape {stage} metrics at {url}: {exc}") from exc
    total = count = 0.0
    events, retries, lag = {}, {}, 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.labels.get("stage") != stage:
                continue
            if sample.name == "pantau_processing_seconds_sum":
                total += sample.value
            elif sample.name == "pantau_processing_seconds_count":
                count += sample.value
            elif sample.name == "pantau_events_total":
                events[sample.labels["outcome"]] = int(sample.value)
            elif sample.name == "pantau_retries_total":
                retries[sample.labels["kind"]] = int(sample.value)
            elif sample.name == "pantau_consumer_lag":
                lag += sample.value
    return {
        "events": int(count),
        "mean_processing_ms": round(1000 * total / count, 3) if count else None,
        "busy_s": round(total, 2),
        "outcomes": events,
        "retries": retries,
        "consumer_lag_at_end": int(lag),
    }


def _disk_bytes(folder: Path) -> int:
    """The store's size on disk (database, WAL and all) after the run."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def _cpu_seconds(stack) -> dict[str, float]:
    """CPU time (user + system) used so far by each process of the stack, from /proc."""
    from pantau.localstack import SERVICES

    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for component in (stack.kafka, stack.ferretdb, *(stack.service(n) for n in SERVICES)):
        pid = component.pid()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            out[component.name] = (int(fields[11]) + int(fields[12])) / tick
        except (FileNotFoundError, IndexError, ValueError, TypeError):
            out[component.name] = float("nan")
    return out


def _service_logs_hint(stack, names) -> str:
    return "\n".join(f"--- {n} ({stack.service(n).log_file}):\n{stack.service(n).log_tail(8)}" for n in names)


def _processed(settings: Settings, stage: str) -> tuple[int, int] | None:
    """(processed, dead-lettered) events of ``stage`` so far, from its /metrics; None if it did not answer."""
    try:
        with urllib.request.urlopen(_metrics_url(settings, stage), timeout=5) as response:
            text = response.read().decode()
    except OSError:
        return None
    processed = dead = 0
    for line in text.splitlines():
        if line.startswith("pantau_events_total{") and f'stage="{stage}"' in line:
            value = int(float(line.rsplit(" ", 1)[1]))
            if 'outcome="processed"' in line:
                processed += value
            else:
                dead += value
    return processed, dead


def _wait_stages(settings: Settings, stack, targets: dict[str, int], deadline_s: float, started: float,
                 history: list, what: str) -> dict[str, float]:
    """Poll each stage's processed-event counter until it reaches its target.

    The counters, not collection counts: on FerretDB/SQLite a count scans and decodes the whole
    collection (a quarter of a second at 5,000 documents), so polling counts would load the very
    store the pipeline writes to. A stage counts an event only after its writes are done; the
    collections are counted once at the end to confirm. Returns seconds from ``started`` per stage.
    """
    reached: dict[str, float] = {}
    last_progress, last_seen, last_log = time.monotonic(), None, 0.0
    deadline = time.monotonic() + deadline_s
    while True:
        now = time.perf_counter()
        seen = {stage: _processed(settings, stage) for stage in STAGES}
        history.append((now - started, seen))
        dead_lettered = {s: v[1] for s, v in seen.items() if v and v[1]}
        if dead_lettered:
            raise BenchError(f"{what}: records were dead-lettered ({dead_lettered}); see the services' logs in "
                             f"{BENCH_STATE_DIR / 'logs'}")
        for stage, target in targets.items():
            if stage not in reached and seen[stage] and seen[stage][0] >= target:
                # The first poll (of this wait or an earlier one) that saw the target reached.
                reached[stage] = next(t for t, s in history if s[stage] and s[stage][0] >= target)
                log(f"  {stage}: all {target:,} done after {reached[stage]:.1f}s")
        if len(reached) == len(targets):
            return reached
        if seen != last_seen:
            last_progress, last_seen = time.monotonic(), seen
        if time.monotonic() - last_log > 5:
            last_log = time.monotonic()
            log("  processed: " + ", ".join(f"{s} {v[0] if v else '?'}" for s, v in seen.items()) + f" at {now - started:.0f}s")
        stopped = [n for n in STAGES if stack.service(n).pid() is None]
        missing = ", ".join(f"{s} {seen[s][0] if seen[s] else '?'}/{t:,}" for s, t in targets.items() if s not in reached)
        if stopped:
            raise BenchError(f"{what}: service(s) {', '.join(stopped)} exited; unfinished: {missing}\n"
                             + _service_logs_hint(stack, stopped))
        if time.monotonic() - last_progress > STALL_S:
            raise BenchError(f"{what}: no progress for {STALL_S:.0f}s; unfinished: {missing}\n"
                             + _service_logs_hint(stack, STAGES))
        if time.monotonic() > deadline:
            raise BenchError(f"{what}: not done after {deadline_s:.0f}s; unfinished: {missing}\n"
                             + _service_logs_hint(stack, STAGES))
        time.sleep(1.0)


# -- the run ------------------------------------------------------------------------------------------
def run(quick: bool) -> dict:
    from pantau.localstack import LocalStack

    settings = _settings()
    registry_rows = 20_000 if quick else 200_000
    records = 100_000 if quick else 1_000_000
    steady_s = 30.0 if quick else 60.0
    stack = LocalStack(settings)
    log(f"state {BENCH_STATE_DIR}, Kafka {settings.kafka_bootstrap_servers}, MongoDB {settings.mongodb_uri}, "
        f"API {settings.api_port}, ingest {settings.ingest_port}, web base {settings.web_port_base}")
    stack.services_down()  # leftovers of an interrupted bench run (pid files in our own state dir only)
    stack.infra_down()
    shutil.rmtree(BENCH_STATE_DIR, ignore_errors=True)
    result: dict = {"registry_rows": registry_rows, "records": records, "cpus": os.cpu_count()}
    try:
        log("starting Kafka and FerretDB")
        started = time.perf_counter()
        stack.infra_up()
        result["infra_up_s"] = round(time.perf_counter() - started, 1)
        result["registry_import"] = bench_import(settings, registry_rows)
        result["end_to_end"] = bench_end_to_end(settings, stack, records, steady_s)
    finally:
        log("stopping services and infra")
        stack.services_down()
        stack.infra_down()
    imp, e2e = result["registry_import"], result["end_to_end"]
    result["summary"] = {
        "import_rows_per_s": imp["import_rows_per_s"],
        "import_vs_baseline": imp["import_vs_baseline_insert_many"],
        "e2e_records_per_s": e2e["e2e_records_per_s"],
        "last_tenth_vs_first": e2e["last_tenth_vs_first"],
        "duplicate_alerts": e2e["duplicate_alerts"],
        "must_alert_missing": e2e["must_alert_missing"],
        "latency_p99_s": e2e["latency_ingest_to_alert_s"]["p99"],
        "raw_hop_records_per_s": e2e["baseline_raw_hop"]["records_per_s"],
        "e2e_vs_raw_hop": e2e["e2e_vs_raw_hop"],
        "insert_many_docs_per_s": e2e["baseline_insert_many"]["docs_per_s"],
    }
    return result
