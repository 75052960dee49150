"""The match engine: an in-process registry index, blocking, scoring, bands and explanations.

Build once per registry version (``MatchEngine.build`` / ``from_documents`` / ``from_rows`` /
``from_csv``), then ``engine.match(record, excluded)`` per content item. Pure Python, no I/O besides
reading the CSV. This module is the facade the services import; the work is in its neighbours:

- ``config``: ``match.yaml`` as ``MatchConfig``, the feature weights included;
- ``builder`` and ``index``: the compact columns and the blocking-key table;
- ``query``: what a content item says about its author;
- ``candidates``: blocking, who could be the author and by which exact key;
- ``scoring``: the feature table, each feature a function with its configured weight;
- ``ranking``: bands, ambiguity and one person per author.

``band = match`` when score >= threshold, ``review`` when score >= threshold - ``REVIEW_MARGIN``.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.schemas import ContentRecord, Match, RegistryPerson

from .builder import _Builder
from .config import ALGORITHM, ALGORITHM_VERSION, REVIEW_MARGIN, FeatureWeights, MatchConfig, load_config
from .index import RegistryIndex
from .nip import mask_nip
from .query import Query, author_key
from .ranking import Excluded, rank

__all__ = ["ALGORITHM", "ALGORITHM_VERSION", "REVIEW_MARGIN", "FeatureWeights", "MatchConfig", "MatchEngine",
           "_Builder", "iter_persons", "load_config", "mask"]


class MatchEngine(RegistryIndex):
    """Immutable once built; ``match`` is safe to call from several threads."""

    author_key = staticmethod(author_key)

    def match(self, record: ContentRecord, excluded: Excluded = frozenset()) -> list[Match]:
        return [match for match, _ in rank(Query(self, record), excluded)]

    def match_with_frequency(self, record: ContentRecord, excluded: Excluded = frozenset()
                             ) -> list[tuple[Match, int | None]]:
        """As ``match``, each result with the expected number of registry holders of the name."""
        return rank(Query(self, record), excluded)

    def explain_config(self) -> dict[str, Any]:
        return {"algorithm": ALGORITHM, "algorithm_version": ALGORITHM_VERSION, "threshold": self.config.threshold,
                "review_threshold": self.config.review_threshold, "registry_version": self.registry_version}


def mask(nip: str) -> str:
    """Re-exported for adapters that log results."""
    return mask_nip(nip)


def iter_persons(engine: MatchEngine) -> Iterator[RegistryPerson]:
    for pid in range(engine.size):
        yield engine.person(pid)
