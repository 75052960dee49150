"""Reviewers' "not this person" judgements: written by the agency API when an analyst rejects a
case as the wrong person, read by the match service, which never pairs that author and NIP again.
"""
from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from shared.schemas import utcnow

COLLECTION = "judgements"


async def load_judgements(db: AsyncDatabase) -> frozenset[tuple[str, str]]:
    """(nip, author_key) pairs a reviewer judged "not this person"."""
    rows = await db[COLLECTION].find({"verdict": "not_this_person"}, {"nip": 1, "author_key": 1}).to_list(None)
    return frozenset((row["nip"], row["author_key"]) for row in rows)


async def record_judgement(db: AsyncDatabase, nip: str, author_key: str, reviewer: str, reason: str) -> None:
    key = f"{nip}|{author_key}"
    await db[COLLECTION].replace_one(
        {"_id": key},
        {"_id": key, "nip": nip, "author_key": author_key, "verdict": "not_this_person",
         "reviewer": reviewer, "reason": reason, "at": utcnow()},
        upsert=True,
    )
