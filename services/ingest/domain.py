"""What ingest accepts and forwards; what it stores is ``shared.stored.ContentKey`` (never the text)."""
from __future__ import annotations

import json

from shared.schemas import ContentAccepted, ContentRecord, RecordLimits
from shared.stage import InvalidRecord
from shared.stored import ContentKey


def accepted_event(record: ContentRecord, key: ContentKey, raw: bytes) -> ContentAccepted:
    """The raw bytes travel on: classify keeps them as evidence only if the post is partisan."""
    return ContentAccepted(content_id=key.content_id, evidence_sha256=key.evidence_sha256,
                           received_at=key.received_at, record=record, raw=raw.decode("utf-8", errors="replace"))


def plan_forwarding(batch_ids: list[str], stored_before: set[str], interrupted: set[str]) -> tuple[list[str], list[str]]:
    """Which of a batch's content ids go downstream, and which are duplicates to drop.

    New items go on. An item stored before goes on only if its previous attempt was interrupted
    (its in-flight mark was still there): that attempt may have stopped before forwarding.
    """
    forward = [cid for cid in batch_ids if cid not in stored_before or cid in interrupted]
    dropped = [cid for cid in batch_ids if cid in stored_before and cid not in interrupted]
    return forward, dropped


def check_record_size(raw: bytes) -> None:
    if len(raw) > RecordLimits.RECORD_BYTES:
        raise InvalidRecord("validation", f"(record): {len(raw):,} bytes, more than the "
                            f"{RecordLimits.RECORD_BYTES:,} a record may have", ["(record)"])


FORWARDED_BYTES = 1_000_000  # under the broker's default 1 MiB message limit, with room for the envelope


def check_forwarded_size(event: bytes) -> None:
    """The accepted record carries the post twice (parsed, and its raw bytes as a JSON string); a record of
    escaped quotes or backslashes can double in the second copy and pass the broker's limit."""
    if len(event) > FORWARDED_BYTES:
        raise InvalidRecord("validation", f"(record): {len(event):,} bytes once forwarded with its raw bytes, more "
                            f"than the {FORWARDED_BYTES:,} the pipeline carries; send it with fewer escaped "
                            "characters (quotes, backslashes) or a shorter text", ["(record)"])


def split_body(body: bytes) -> list[bytes]:
    """The exact bytes of each record in a POST body: the object itself, or each array element.

    The evidence hash is taken over these bytes, as sent, not over a re-serialisation. Raises
    InvalidRecord (invalid_json) naming the position of the first syntax error.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRecord("invalid_json", f"request body is not UTF-8: {exc}") from exc
    start = len(text) - len(text.lstrip())
    if not text[start:].startswith("["):
        return [text.strip().encode()]
    decoder, elements, index = json.JSONDecoder(), [], start + 1

    def skip(i: int) -> int:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        return i

    index = skip(index)
    if index < len(text) and text[index] == "]":
        index += 1
    else:
        while True:
            try:
                _, end = decoder.raw_decode(text, index)
            except json.JSONDecodeError as exc:
                raise InvalidRecord("invalid_json", f"request body is not valid JSON: {exc}") from exc
            except ValueError as exc:  # an integer of more than 4,300 digits
                raise InvalidRecord("invalid_json", f"request body is not readable JSON: element {len(elements)}: "
                                    f"{exc}"[:300]) from exc
            except RecursionError as exc:
                raise InvalidRecord("invalid_json", f"request body is not valid JSON: element {len(elements)} "
                                    "is nested too deeply") from exc
            elements.append(text[index:end].encode())
            index = skip(end)
            if index < len(text) and text[index] == ",":
                index = skip(index + 1)
                continue
            if index < len(text) and text[index] == "]":
                index += 1
                break
            raise InvalidRecord("invalid_json", f"request body is not valid JSON: expected ',' or ']' at char {index}")
    if text[index:].strip():
        raise InvalidRecord("invalid_json", f"request body is not valid JSON: extra data at char {skip(index)}")
    return elements
