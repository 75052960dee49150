"""Hostile input for the running services (issue 13): Hypothesis strategies and their serialisation.

Shared by the live fuzz suite (``tests/integration/test_fuzz_live.py``) and the soak run
(``python -m bench.soak``). A generated value is a *template*: ``Unique`` marks where a fresh
external id goes each time it is rendered, so every valid record sent is one content id of its own
and the accounting (accepted + dead-lettered + rejected == sent) is exact; ``Raw`` is JSON text
written as is (numbers Python cannot print, lone-surrogate escapes, nesting deeper than any stack).
Only invalid values are used as a hostile ``external_id``, so two records can never share an id.
"""
from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from pantau.loadgen import PARTISAN_TEXTS, REGISTERED_X_HANDLES
from shared.schemas import RecordLimits, content_id_for


@dataclass(frozen=True)
class Unique:
    """A fresh external id at render time: ``<run>-u<n><suffix>``."""

    suffix: str = ""


@dataclass(frozen=True)
class Raw:
    """JSON text inserted verbatim."""

    text: str

    def __repr__(self) -> str:  # Hypothesis prints failing examples: keep megabytes out of the report
        return f"Raw({self.text[:40]!r}{'...' if len(self.text) > 40 else ''} {len(self.text):,} chars)"

    def _repr_pretty_(self, printer, cycle) -> None:  # Hypothesis's printer would list the fields
        printer.text(repr(self))


@dataclass(frozen=True)
class Long:
    """``unit`` repeated ``times``: a JSON string, or raw bytes when ``as_bytes`` (a whole body)."""

    unit: str
    times: int
    as_bytes: bool = False

    def __repr__(self) -> str:
        return f"Long({self.unit[:20]!r} x {self.times:,}{', bytes' if self.as_bytes else ''})"

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))


class Renderer:
    """Turns templates into bytes; numbers the unique ids of one run."""

    def __init__(self, run: str):
        self.run = run
        self._counter = itertools.count()

    def fresh_id(self, suffix: str = "") -> str:
        return f"{self.run}-u{next(self._counter):07d}{suffix}"  # "u": never the load mix's "<run>-<n>"

    def text(self, value: Any, ascii_only: bool = True) -> str:
        if isinstance(value, Raw):
            return value.text
        if isinstance(value, Long):
            return value.unit * value.times if value.as_bytes else json.dumps(value.unit * value.times, ensure_ascii=ascii_only)
        if isinstance(value, Unique):
            return json.dumps(self.fresh_id(value.suffix), ensure_ascii=ascii_only)
        if isinstance(value, dict):
            return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=ascii_only)}: {self.text(v, ascii_only)}"
                                   for k, v in value.items()) + "}"
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(self.text(v, ascii_only) for v in value) + "]"
        return json.dumps(value, ensure_ascii=ascii_only)

    def render(self, value: Any, ascii_only: bool = True) -> bytes:
        """JSON bytes; with ``ascii_only=False`` a lone surrogate becomes bytes that are not UTF-8."""
        if isinstance(value, bytes):
            return value
        if isinstance(value, Long) and value.as_bytes:
            return (value.unit * value.times).encode()
        return self.text(value, ascii_only).encode("utf-8", errors="surrogatepass")


def expected_content_id(raw: bytes | None) -> str | None:
    """The content id a value would be stored under if ingest accepted it (None: it cannot be)."""
    if raw is None:
        return None
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(payload, dict):
        return None
    source, external_id = payload.get("source"), payload.get("external_id")
    if not isinstance(source, str) or not isinstance(external_id, str):
        return None
    try:
        return content_id_for(source.strip().lower(), external_id)
    except UnicodeEncodeError:  # a lone surrogate: never stored
        return None


def deep(depth: int, kind: str = "[") -> Raw:
    close = "]" if kind == "[" else "}"
    opener = "[" if kind == "[" else '{"a":'
    return Raw(opener * depth + ("1" if kind == "{" else "") + close * depth)


# -- leaves --------------------------------------------------------------------------------------------
LONE_SURROGATES = st.sampled_from(["\ud800", "a\udfffb", "\udbff", "x\udc00\ud800"])  # escaped as \\uXXXX by json
RAW_TOKENS = st.sampled_from([
    Raw("1" * 5000), Raw("-" + "9" * 4301), Raw("1e999"), Raw("-1e999"), Raw("NaN"), Raw("Infinity"),
    Raw("0." + "0" * 5000 + "1"), Raw('"\\ud800"'), Raw('"\\udc00 tail"'), Raw('"\\u0000"'), Raw('"\\ud83d\\ude00"'),
])
OPERATORS = st.sampled_from([
    {"$ne": 1}, {"$gt": ""}, {"$where": "sleep(1000)"}, {"$regex": ".*"}, {"$in": []}, ["$ne", None],
    {"a.b": 1}, {"$set": {"x": 1}}, "$ne", "{\"$ne\": 1}",
])
ODD_DATES = st.sampled_from([
    "2024-01-10T08:15:00+07:00", "2024-01-10T08:15:00", "2024-01-10", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
    "2024-02-30T00:00:00Z", "2024-01-10T25:00:00Z", "2024-01-10T08:15:00+24:00", "2024-01-10T08:15:00.123456789Z",
    "1999-12-31T23:59:59Z", "2000-01-01T00:00:00+00:00", "+002024-01-10T00:00:00Z", "kemarin", "", " ",
    1705000000, 1.7e12, -1, 0, True, None, [], {},
])
NEAR_LIMITS = st.sampled_from([
    RecordLimits.HANDLE_CHARS, RecordLimits.HANDLE_CHARS + 1, RecordLimits.NAME_CHARS + 1, RecordLimits.URL_CHARS,
    RecordLimits.URL_CHARS + 1, RecordLimits.FIELD_CHARS, RecordLimits.FIELD_CHARS + 1,
]).map(lambda n: Long("a", n))
HUGE_TEXT = st.sampled_from([
    Long("a", RecordLimits.TEXT_CHARS), Long("a", RecordLimits.TEXT_CHARS + 1), Long("é", 200_000),  # 400 KB of UTF-8
    Long(PARTISAN_TEXTS[0] + " ", 3000), Long("\n", 100_000),
])
hostile_text = st.one_of(
    st.text(max_size=40), st.sampled_from(["", " ", "\t\n", "\u00a0", "\u200b", "\x00", "\ufeff", "<script>", "'; --"]),
    LONE_SURROGATES, NEAR_LIMITS,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30) | RAW_TOKENS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
hostile_value = st.one_of(hostile_text, json_values, OPERATORS, RAW_TOKENS, st.integers(1, 80).map(deep),
                          st.sampled_from([deep(33), deep(33, "{"), deep(5000), deep(100_000)]))

# -- record-like objects --------------------------------------------------------------------------------
BAD_EXTERNAL_IDS = st.sampled_from(["", " ", "\t", 0, 12, None, True, [], {"$ne": 1}, "x" * 513, "\ud800", Raw("1" * 5000)])
external_ids = st.one_of(st.just(Unique()), st.text(max_size=12).map(Unique), LONE_SURROGATES.map(Unique),
                         BAD_EXTERNAL_IDS)
sources = st.one_of(st.sampled_from(["x", " X ", "news", "facebook", "", "   ", "\t", "s" * 64, "s" * 65, "\ud800"]),
                    st.text(max_size=10), OPERATORS)
authors = st.one_of(
    st.fixed_dictionaries({}, optional={"handle": st.one_of(st.sampled_from(REGISTERED_X_HANDLES), hostile_text),
                                        "display_name": hostile_text, "bio": hostile_text}),
    hostile_value,
)
media = st.one_of(
    st.lists(st.fixed_dictionaries({"type": st.sampled_from(["image", "video", "audio", "", None])},
                                   optional={"caption": hostile_text, "ocr_text": hostile_text,
                                             "labels": st.lists(hostile_text, max_size=4) | st.just(["l"] * 51)}),
             max_size=3),
    st.just([{"type": "image"}] * (RecordLimits.MEDIA_ITEMS + 1)), hostile_value,
)
record_like = st.fixed_dictionaries(
    {"source": sources, "external_id": external_ids},
    optional={
        "text": st.one_of(st.sampled_from(PARTISAN_TEXTS), hostile_text, HUGE_TEXT, hostile_value),
        "kind": st.one_of(st.sampled_from(["post", "comment", "share", "like", "follow", "join_group", "dance", "POST"]),
                          hostile_value),
        "url": st.one_of(st.just("https://x.com/a/status/1"), hostile_text, hostile_value),
        "published_at": st.one_of(ODD_DATES, hostile_value),
        "author": authors, "media": media,
        "target": st.one_of(st.fixed_dictionaries({}, optional={"handle": hostile_text, "text": hostile_text}),
                            hostile_value),
        "extra": st.one_of(json_values, OPERATORS, st.just({"blob": Long("b", RecordLimits.EXTRA_BYTES)}),
                           st.integers(1, 40).map(lambda n: {"deep": deep(n)})),
        "txt": hostile_value, "$where": hostile_value, "_id": hostile_value,
    },
)


class Valid(dict):
    """A record template the doors must accept (the independent oracle beside the observed outcome)."""


def valid_record(i: int) -> Valid:
    """A record the door must accept (partisan by a registered person every third one)."""
    handle = REGISTERED_X_HANDLES[i % len(REGISTERED_X_HANDLES)] if i % 3 == 0 else f"anon_{i}"
    return Valid({"source": "x", "external_id": Unique(), "kind": "post", "text": PARTISAN_TEXTS[i % 3],
            "url": f"https://x.com/{handle}/status/{i}", "author": {"handle": handle},
            "published_at": "2024-01-20T10:00:00+07:00"})


valid_records = st.integers(0, 10**6).map(valid_record)

# -- values for the ingest topic ------------------------------------------------------------------------
# (template, ascii_only): ascii_only=False writes non-ASCII as UTF-8 and a lone surrogate as bytes that
# are not UTF-8. None is a tombstone; bytes go as they are.
topic_values = st.tuples(
    st.one_of(
        st.none(), st.binary(max_size=200), st.sampled_from([b"", b"\xff\xfe", b"\xef\xbb\xbf{}", b"null", b"[]", b"{}"]),
        json_values, st.lists(record_like, min_size=1, max_size=2), record_like, record_like, valid_records,
    ),
    st.booleans(),
)
topic_keys = st.one_of(st.none(), st.binary(max_size=20), st.just(b"ct_not_the_content_id"))

# -- HTTP bodies -----------------------------------------------------------------------------------------
CONTENT_TYPES = st.sampled_from([
    "application/json", "application/json", "application/json", "application/json; charset=utf-8",
    "APPLICATION/JSON", "text/plain", "application/x-www-form-urlencoded", "application/jsonx", "", None,
    "multipart/form-data; boundary=x", "application/json; charset=latin-1",
])
http_bodies = st.one_of(
    st.binary(max_size=300),
    json_values,
    record_like,
    st.lists(st.one_of(record_like, valid_records), min_size=0, max_size=4),
    valid_records,
    st.lists(valid_records, min_size=1, max_size=3),
    st.sampled_from([b"", b" ", b"[", b"[]", b"[,]", b"[1,]", b"{}{}", b"[{}] x", b"\xef\xbb\xbf{}",
                     Long("[", 100_000, as_bytes=True), Long("x", 1024 * 1024 + 1, as_bytes=True),
                     Long("a", 1_200_000), [valid_record(i) for i in range(1001)]]),
)
