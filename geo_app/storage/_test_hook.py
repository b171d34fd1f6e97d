"""A test-only hook: pause inside a write transaction so a test can kill the process there.

Set ``GEO_APP_TEST_PAUSE_IN_TRANSACTION_S`` to a number of seconds: every write
transaction then prints ``geo_app test hook: <what>`` on stderr and sleeps that long
after each row it writes. The crash-safety tests use it to SIGKILL a process in the
middle of a batch. Unset (always, outside tests) it does nothing.
"""

from __future__ import annotations

import os
import sys
import time

PAUSE_ENV = "GEO_APP_TEST_PAUSE_IN_TRANSACTION_S"
MARKER = "geo_app test hook:"


def pause_in_transaction(what: str) -> None:
    """Announce ``what`` was written and sleep, only when the test hook is set."""
    value = os.environ.get(PAUSE_ENV, "").strip()
    if not value:
        return
    print(f"{MARKER} {what}", file=sys.stderr, flush=True)
    time.sleep(float(value))
