"""Run one command and measure it: wall time, CPU time, peak memory, exit code.

CPU time comes from `os.wait4` on the child; Linux folds in the usage of the
child's reaped children (parser worker processes). Memory is sampled from /proc
every 50 ms over the child and all its descendants: the peak of their summed
proportional set size (PSS, so pages that forked workers share count once),
and the largest single process's peak RSS (`VmHWM`). `ru_maxrss` is not used:
Linux carries it across exec, so it would report the benchmark's own size
for any child smaller than the benchmark process.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

@dataclass(frozen=True)
class Sample:
    wall_seconds: float
    cpu_seconds: float  # user + system of the child and its reaped children
    max_rss_mb: float  # the largest single process's peak RSS (VmHWM)
    tree_pss_mb: float  # sampled peak of the summed PSS of the child and its descendants
    exit_code: int
    other_cpu_seconds: float  # CPU the rest of the machine used meanwhile: interference, ideally ~0


def _busy_cpu_seconds() -> float:
    """CPU time all processors spent on anything but idle and I/O wait since boot."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(value) for value in handle.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _parents() -> dict[int, int]:
    parents = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name may contain spaces and parentheses: fields start after the last ')'
        fields = stat[stat.rfind(b")") + 2:].split()
        parents[int(entry.name)] = int(fields[1])
    return parents


def _tree(root: int) -> set[int]:
    parents = _parents()
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return tree


def _field_kb(path: str, prefix: bytes) -> int:
    try:
        with open(path, "rb") as handle:
            for line in handle:
                if line.startswith(prefix):
                    return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except OSError:
        return b""


class _TreeSampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_pss_kb = 0
        self.peak_hwm_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        # Until the child has exec'd, /proc shows a copy of this process: wait for its own command line.
        own = _cmdline(os.getpid())
        while not self.done.is_set() and _cmdline(self.pid) in (own, b""):
            self.done.wait(0.001)
        while not self.done.is_set():
            tree = _tree(self.pid)
            pss = sum(_field_kb(f"/proc/{pid}/smaps_rollup", b"Pss:") for pid in tree)
            hwm = max(_field_kb(f"/proc/{pid}/status", b"VmHWM:") for pid in tree)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self.peak_hwm_kb = max(self.peak_hwm_kb, hwm)
            self.done.wait(self.interval)


def measure(command: list[str], cwd: Path, env: dict[str, str], stdout: Path, stderr: Path) -> Sample:
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        busy_before = _busy_cpu_seconds()
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        sampler = _TreeSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        busy = _busy_cpu_seconds() - busy_before
        sampler.done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    return Sample(
        wall_seconds=wall,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_mb=sampler.peak_hwm_kb / 1024,
        tree_pss_mb=sampler.peak_pss_kb / 1024,
        exit_code=process.returncode,
        other_cpu_seconds=max(0.0, busy - usage.ru_utime - usage.ru_stime),
    )
