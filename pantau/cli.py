"""Entry point for the `pantau` command: the typer app (``pantau.app``), except for the plain form of
``pantau classify --in IN --out OUT``, which starts without typer (``pantau.classify_offline``)."""
from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:2] == ["classify"]:
        from pantau.classify_offline import fast_main

        code = fast_main(sys.argv[2:])
        if code is not None:
            sys.exit(code)
    from pantau.app import run

    run()
