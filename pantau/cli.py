"""Entry point for the `pantau` command: the typer app (``pantau.app``), except for the plain form of
``pantau classify --in IN --out OUT``, which starts without typer (``pantau.classify_offline``)."""
from __future__ import annotations

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["classify"]:
        from pantau.classify_offline import fast_main

        code = fast_main(sys.argv[2:])
        if code is not None:
            # Done: output closed, workers joined, nothing left to run at exit. Leaving at once spares tearing
            # the classifier down object by object (about 0.03 s, a tenth of a short file's run).
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    from pantau.app import run

    run()
