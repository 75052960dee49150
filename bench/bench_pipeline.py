"""The pipeline on the real local stack: registry import rows/s and end-to-end records/s.

Runs its own Kafka + FerretDB + services on its own ports and state directory (``.run/bench``),
so it never touches a running ``make demo`` (9092/27017/8080...) or the test suite
(19092/37017/18080...). The state directory is wiped at the start; everything is stopped at the end.

1. Registry import: ``pantau registry generate`` writes N people (200 k; quick: 20 k), then the
   function behind ``pantau registry import`` loads them (validation, batched ``insert_many``,
   activation). Baseline in the same run: plain PyMongo ``insert_many`` of N small dicts, same batch
   size. A split pass times parse + validate (ours) and a bare ``insert_many`` of the very documents
   the import writes (the store's) separately.
2. End to end: the sample registry is active, the four services and the API run, N content records
   (5,000; quick: 1,000; 20 % partisan by registered handles, 20 % partisan by strangers, 60 %
   neutral, like the crash test) are published with ``pantau submit``, and we time until all are in
   ``content``, in ``classifications``, and until every expected alert is in ``alerts``. Each
   service's ``/metrics`` gives the mean ``pantau_processing_seconds`` per stage and how busy each
   stage was over the run (the bottleneck is the busiest). Baseline in the same run: sequential
   single-document ``insert_one`` on FerretDB (the per-record write every stage does).
"""
from __future__ import annotations

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
# Forced, not setdefault: a shell that exported the demo's settings must not lead us onto its ports.
os.environ.update(BENCH_ENV)

from pantau.loadgen import mixed_posts  # noqa: E402
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
    """One pass, two clocks: parse + validate + build the documents, and a bare ``insert_many`` of them.

    Splits the import's time into our code and the store's write of the same documents.
    """
    from services.match import registry_store
    from services.match.domain.registry_csv import RowError, iter_raw

    scratch = db["bench_scratch_person_docs"]
    scratch.drop()
    parse_s = insert_s = 0.0
    rows, batch = 0, []
    clock = time.perf_counter()
    for row in iter_raw(path):
        if isinstance(row, RowError):
            continue
        batch.append(registry_store.person_document(row))
        if len(batch) >= BATCH_SIZE:
            now = time.perf_counter()
            parse_s += now - clock
            scratch.insert_many(batch, ordered=False)
            rows += len(batch)
            batch = []
            clock = time.perf_counter()
            insert_s += clock - now
    now = time.perf_counter()
    parse_s += now - clock
    if batch:
        scratch.insert_many(batch, ordered=False)
        rows += len(batch)
        insert_s += time.perf_counter() - now
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
        log("split: parse + validate + build documents, then bare insert_many of those documents")
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
    return {
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
        "split_insert_many_person_docs_s": split["insert_s"],
        "split_insert_many_person_docs_rows_per_s": split["insert_rows_per_s"],
        "registry_file_mb": round(path.stat().st_size / 1e6, 1),
    }


# -- 2. end to end ----------------------------------------------------------------------------------
def _baseline_insert_one(db, count: int) -> dict:
    scratch = db["bench_scratch_insert_one"]
    scratch.drop()
    document = {"source": "x", "kind": "post", "text": "Coblos nomor 2 ya tanggal 14! Prabowo-Gibran satu putaran #PrabowoGibran2024", "url": "https://x.com/someone/status/1",
                "author": {"handle": "someone"}}
    started = time.perf_counter()
    for i in range(count):
        scratch.insert_one({"_id": f"bench-{i:06d}", **document})
    elapsed = time.perf_counter() - started
    scratch.drop()
    return {"docs": count, "seconds": round(elapsed, 2), "docs_per_s": round(count / elapsed),
            "mean_ms": round(1000 * elapsed / count, 3)}


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
        time.sleep(0.25)


def _confirm_counts(db, expected: dict[str, int], started: float, timeout: float) -> dict[str, float]:
    """Count the collections (the ground truth) once; wait for any that is short.

    Returns, for each collection that was short at the first count only, when it was complete.
    """
    late: dict[str, float] = {}
    pending = dict(expected)
    deadline = time.monotonic() + timeout
    while True:
        for name, want in list(pending.items()):
            have = db[name].count_documents({})
            if have > want:
                raise BenchError(f"{name} holds {have:,} documents, more than the {want:,} expected")
            if have == want:
                del pending[name]
            elif name not in late:
                late[name] = float("nan")
                log(f"  {name} holds {have:,} of {want:,} documents although the stage reported all done; waiting")
        for name in late:
            if name not in pending and late[name] != late[name]:  # NaN: completed in this pass
                late[name] = time.perf_counter() - started
        if not pending:
            return late
        if time.monotonic() > deadline:
            short = {n: f"{db[n].count_documents({}):,}/{w:,}" for n, w in pending.items()}
            raise BenchError(f"the stages reported every event done, but these collections are still short after "
                             f"{timeout:.0f}s: {short}")
        time.sleep(3)


def bench_end_to_end(settings: Settings, stack, total: int) -> dict:
    sample = REPO_ROOT / "deploy" / "sample" / "registry.csv"
    log(f"importing the sample registry: pantau registry import {sample.relative_to(REPO_ROOT)}")
    _cli("registry", "import", str(sample))

    client, db = _mongo()
    try:
        baseline_n = max(200, total // 2)
        log(f"baseline: {baseline_n:,} sequential insert_one on FerretDB")
        baseline = _baseline_insert_one(db, baseline_n)
        log(f"  {baseline['docs_per_s']:,} docs/s ({baseline['mean_ms']} ms each)")

        log("starting ingest, classify, match, notify and the API")
        started = time.perf_counter()
        stack.services_up()
        stack.wait_services_ready(timeout=180)
        services_ready_s = time.perf_counter() - started
        log(f"  all ready after {services_ready_s:.1f}s")

        records, must_alert = mixed_posts(f"bench-{int(time.time())}", total)
        registered_partisan = len(must_alert)
        path = BENCH_STATE_DIR / f"content-{total}.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
        before = {name: db[name].count_documents({}) for name in ("content", "classifications", "matches", "alerts")}
        if any(before.values()):
            raise BenchError(f"the bench database is not empty before submitting: {before}")
        unanswered = [s for s in STAGES if _processed(settings, s) is None]
        if unanswered:
            raise BenchError(f"no /metrics from {', '.join(unanswered)} (e.g. {_metrics_url(settings, unanswered[0])})")

        log(f"submitting {total:,} records: pantau submit {path.relative_to(REPO_ROOT)}")
        history: list = []
        cpu_before = _cpu_seconds(stack)
        started = time.perf_counter()
        _cli("submit", str(path), timeout=300)
        submit_s = time.perf_counter() - started
        log(f"  submit returned after {submit_s:.1f}s")

        budget = 300 + total * 0.25
        reached = _wait_stages(settings, stack, {"ingest": total, "classify": total}, budget, started, history,
                               f"{total:,} records through ingest and classify")
        partisan = db["classifications"].count_documents({"partisan": True})
        log(f"  {partisan:,} classified partisan; waiting for match")
        reached |= _wait_stages(settings, stack, {"match": partisan}, budget, started, history,
                                f"{partisan:,} partisan records through match")
        forwarded = expected = 0
        for doc in db["matches"].find({}, {"matches.band": 1}):
            forwarded += bool(doc["matches"])
            expected += sum(1 for m in doc["matches"] if m.get("band") == "match")
        log(f"  {forwarded:,} matched items sent to notify, {expected:,} alerts expected (match band); "
            f"{registered_partisan:,} partisan posts by registered handles")
        reached |= _wait_stages(settings, stack, {"notify": forwarded}, budget, started, history,
                                f"{forwarded:,} matched items through notify ({expected:,} alerts)")
        cpu_after, window = _cpu_seconds(stack), time.perf_counter() - started
        log("confirming with document counts")
        late = _confirm_counts(db, {"content": total, "classifications": total, "matches": partisan,
                                         "alerts": expected}, started, timeout=120)
        time.sleep(2)  # let the last events' metrics and lag settle
        stages = {stage: scrape_stage(settings, stage) for stage in STAGES}
        written = {name: db[name].count_documents({}) for name in
                   ("content", "content_forwarded", "classifications", "matches", "alerts", "alerts_published")}
    finally:
        client.close()

    stage_of = {"content": "ingest", "classifications": "classify", "matches": "match", "alerts": "notify"}
    done = {name: late.get(name, reached[stage]) for name, stage in stage_of.items()}
    e2e_s = max(done.values())
    rec_per_s = total / e2e_s
    for stage, figures in stages.items():
        figures["busy_share_of_e2e"] = round(figures["busy_s"] / e2e_s, 3)
    bottleneck = max(stages, key=lambda s: stages[s]["busy_s"])
    writes = sum(written.values())
    cpu = {name: round(cpu_after[name] - cpu_before[name], 1) for name in cpu_before}
    log(f"end to end: {rec_per_s:,.1f} records/s ({e2e_s:.1f}s); "
        + "; ".join(f"{s} {f['mean_processing_ms']} ms/event, busy {f['busy_share_of_e2e']:.0%}" for s, f in stages.items()))
    log("CPU seconds over the run: " + ", ".join(f"{n} {v}" for n, v in cpu.items()) + f" (window {window:.1f}s)")
    return {
        "records": total,
        "collections_late_vs_stage_counters": sorted(late),
        "mix": {"partisan_registered": registered_partisan, "partisan_unknown": total // 5, "neutral": total - 2 * (total // 5)},
        "services_ready_s": round(services_ready_s, 1),
        "submit_s": round(submit_s, 2),
        "all_in_content_s": round(done["content"], 2),
        "all_in_classifications_s": round(done["classifications"], 2),
        "classified_partisan": partisan,
        "all_partisan_in_matches_s": round(done["matches"], 2),
        "matched_items_to_notify": forwarded,
        "alerts_expected": expected,
        "alerts_stored": written["alerts"],
        "all_alerts_s": round(done["alerts"], 2),
        "e2e_s": round(e2e_s, 2),
        "e2e_records_per_s": round(rec_per_s, 1),
        "ingest_records_per_s": round(total / done["content"], 1),
        "mongo_documents_written": written,
        "mongo_writes_per_record": round(writes / total, 2),
        "baseline_insert_one_docs": baseline["docs"],
        "baseline_insert_one_docs_per_s": baseline["docs_per_s"],
        "baseline_insert_one_mean_ms": baseline["mean_ms"],
        "e2e_vs_baseline_insert_one": round(rec_per_s / baseline["docs_per_s"], 3),
        "e2e_writes_per_s_vs_baseline_insert_one": round(rec_per_s * writes / total / baseline["docs_per_s"], 3),
        "stages": stages,
        "cpu_s_by_process": cpu,
        "cpu_window_s": round(window, 1),
        "cpu_total_share_of_machine": round(sum(cpu.values()) / (window * (os.cpu_count() or 1)), 2),
        "bottleneck_stage": bottleneck,
        "note": "times are seconds from the start of `pantau submit`, taken from each stage's processed-event counter "
                "(a stage counts an event after its writes) and confirmed by counting the collections at the end. "
                "stages[*].busy_s is the sum of pantau_processing_seconds; busy_share_of_e2e near 1 marks the "
                "bottleneck (each stage is one worker handling its events one at a time). cpu_s_by_process: CPU "
                "time from submit to the last stage done (the submit process itself not included)",
    }


# -- the run ------------------------------------------------------------------------------------------
def run(quick: bool) -> dict:
    from pantau.localstack import LocalStack

    settings = _settings()
    registry_rows = 20_000 if quick else 200_000
    records = 1_000 if quick else 5_000
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
        result["end_to_end"] = bench_end_to_end(settings, stack, records)
    finally:
        log("stopping services and infra")
        stack.services_down()
        stack.infra_down()
    imp, e2e = result["registry_import"], result["end_to_end"]
    result["summary"] = {
        "import_rows_per_s": imp["import_rows_per_s"],
        "baseline_insert_many_rows_per_s": imp["baseline_insert_many_small_dicts_rows_per_s"],
        "import_vs_baseline": imp["import_vs_baseline_insert_many"],
        "e2e_records_per_s": e2e["e2e_records_per_s"],
        "baseline_insert_one_docs_per_s": e2e["baseline_insert_one_docs_per_s"],
        "e2e_vs_baseline_insert_one": e2e["e2e_vs_baseline_insert_one"],
        "mean_processing_ms": {s: f["mean_processing_ms"] for s, f in e2e["stages"].items()},
        "bottleneck_stage": e2e["bottleneck_stage"],
    }
    return result
