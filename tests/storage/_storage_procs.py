"""Run real processes against a store: the CLI, small worker scripts, kill mid-transaction."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

from geo_app.storage._test_hook import MARKER, PAUSE_ENV

CLI = "from geo_app.cli import main; main()"


def env(*, pause_s: float | None = None) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k != PAUSE_ENV}
    if pause_s is not None:
        out[PAUSE_ENV] = str(pause_s)
    return out


def start(code: str, args: Sequence[str], *, pause_s: float | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env(pause_s=pause_s),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_at_marker(code: str, args: Sequence[str], marker: str, *, pause_s: float = 0.5,
                   timeout_s: float = 120.0) -> list[str]:
    """Start a process with the test hook, SIGKILL it once it printed ``marker``.

    Returns the hook lines it printed. Fails if it ended before reaching the marker.
    """
    proc = start(code, args, pause_s=pause_s)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        return _wait_and_kill(proc, lines, marker, timeout_s)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        reader.join(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def _wait_and_kill(proc: subprocess.Popen, lines: queue.Queue[str | None], marker: str,
                   timeout_s: float) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            proc.kill()
            raise AssertionError(f"no '{marker}' within {timeout_s} s; saw {seen}") from None
        if line is None:
            proc.wait()
            raise AssertionError(f"process ended (rc {proc.returncode}) before '{marker}': "
                                 f"{''.join(seen)}")
        seen.append(line)
        if line.startswith(MARKER) and marker in line:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            assert proc.returncode == -signal.SIGKILL
            return [s for s in seen if s.startswith(MARKER)]
