"""A per-record time budget for classification: a record that costs more is refused, not carried.

The classification window bounds the work per record (about 0.2 s of CPU at worst, measured), so
the budget is a safety net for what the window cannot foresee (a pathological input, a slow
machine): such a record is dead-lettered as "too costly" instead of travelling on and being paid
for again at every replay.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from shared.stage import InvalidRecord

T = TypeVar("T")
R = TypeVar("R")


def within_budget(items: Iterable[T], work: Callable[[T], R], budget_s: float,
                  clock: Callable[[], float] = time.process_time) -> list[tuple[T, R | InvalidRecord]]:
    """``work(item)`` for each item, or the refusal for an item whose work took over ``budget_s``."""
    out: list[tuple[T, R | InvalidRecord]] = []
    for item in items:
        started = clock()
        result = work(item)
        spent = clock() - started
        if spent > budget_s:
            out.append((item, InvalidRecord("too_costly", f"(record): too costly to classify: {spent:.2f} s of CPU, "
                                            f"over the budget of {budget_s:.2f} s (PANTAU_CLASSIFY_BUDGET_MS)",
                                            ["(record)"])))
        else:
            out.append((item, result))
    return out
