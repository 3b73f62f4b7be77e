"""A wall-clock budget for parsing one file.

Every parser is meant to be linear, but the scanned tree is hostile and the
parsers include third-party code (lark, libyaml): the budget is the backstop
that turns whatever slipped through into one skipped file instead of a gate
that hangs until the CI job is killed.

It uses `SIGALRM` (`setitimer(ITIMER_REAL)`): the handler raises inside the
running parse, wherever it is in Python code, and CPython's regex engine
checks for signals while it matches, so a runaway regex is interrupted too
(long C calls that never check, such as one libyaml compose, end first). A
signal handler can only be installed in a process's main thread: that is
where the serial scan and each worker of the process pool parse. Anywhere
else (a library user's thread), and when the caller already runs an interval
timer of its own, there is no budget rather than interference.
"""

from __future__ import annotations

import signal
import threading
from typing import Callable, TypeVar

T = TypeVar("T")

# After the first alarm, keep firing this often until the parse gives up: a parser that
# swallowed the exception (a bare `except:`) gets it again.
_REPEAT_SECONDS = 0.05


class _OverBudget(BaseException):
    """Raised by the alarm in the parse. A BaseException, so a parser's `except Exception`
    cannot swallow it."""


class _Alarm:
    def __init__(self) -> None:
        self.armed = False

    def __call__(self, signum: int, frame: object) -> None:
        if self.armed:
            raise _OverBudget


def _can_time() -> bool:
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return False
    return signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def within_budget(seconds: float, work: Callable[[], T]) -> T | None:
    """`work()`, or None if it ran longer than `seconds` (no budget when `seconds` <= 0).

    The timer is always disarmed and the previous handler restored before this returns,
    so nothing fires later during other work.
    """
    if not seconds or seconds <= 0 or not _can_time():
        return work()
    alarm = _Alarm()
    previous = signal.signal(signal.SIGALRM, alarm)
    if previous is None:  # a handler installed outside Python: the default is the best we can restore
        previous = signal.SIG_DFL

    def disarm() -> None:
        alarm.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    try:
        try:
            alarm.armed = True
            signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT_SECONDS)
            return work()
        finally:
            disarm()
    except _OverBudget:
        # Also reached when the alarm fired during the first disarm, before `armed` was
        # cleared: the work had used its budget by then anyway.
        disarm()
        return None
