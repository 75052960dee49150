"""``make train``: the classifier has no trained component yet, so there is nothing to fit.

Why it exists: the Makefile target should answer clearly instead of failing. The rules in
``services/classify/domain`` were tuned on tests/classify_data/dev.jsonl only; a learned re-scorer
over their cues is the planned next step once more annotated data exists (see the evaluation report).
"""
from __future__ import annotations

import sys

from services.classify.domain.classifier import Classifier


def main() -> int:
    clf = Classifier.from_config()
    print(f"no trained component: {clf.model_version} is rule-based; nothing to train (evaluate with `make eval`).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
