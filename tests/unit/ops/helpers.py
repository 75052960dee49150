"""Run the real `pantau` console script against addresses where nothing listens."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

PANTAU = str(Path(sys.executable).parent / "pantau")


def dead_port() -> int:
    """A port that was free a moment ago (bound and released), so nothing answers there."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def down_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{dead_port()}",
            "MONGODB_URI": f"mongodb://127.0.0.1:{dead_port()}/pantau_down",
            "PANTAU_STATE_DIR": str(tmp_path / "state"), **extra}


def run(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([PANTAU, *args], capture_output=True, text=True, env=env, timeout=timeout)
