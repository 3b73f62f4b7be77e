"""The per-file parse budget: a file that takes too long is skipped, the timer never outlives it."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from aiaas_iac.discover import SourceFile
from aiaas_iac.parsers import ParseLimits, parse_file, parse_files
from aiaas_iac.parsers.budget import within_budget

SLOW = ParseLimits(max_parse_seconds=0.2)


@pytest.fixture
def slow_terraform(monkeypatch):
    """Parsing `slow.tf` sleeps far past any budget; other files parse as usual."""
    from aiaas_iac.parsers import terraform

    real = terraform.parse_terraform

    def parse(text, rel, module):
        if rel.endswith("slow.tf"):
            time.sleep(30)
        return real(text, rel, module)

    monkeypatch.setattr(terraform, "parse_terraform", parse)


def source(tmp_path, name: str, text: str) -> SourceFile:
    path = tmp_path / name
    path.write_text(text)
    return SourceFile(path, name, "terraform")


def test_a_file_over_budget_is_skipped_and_the_others_are_parsed(tmp_path, slow_terraform):
    sources = [source(tmp_path, "slow.tf", 'resource "aws_iam_user" "a" {}\n'),
               source(tmp_path, "fast.tf", 'resource "aws_iam_user" "b" {}\n')]
    started = time.perf_counter()
    slow, fast = parse_files(sources, SLOW, use_cache=False, jobs=1)
    assert time.perf_counter() - started < 5
    assert [e.message for e in slow.errors] == ["took longer than 0.2 s to parse; skipped"]
    assert [r.address for r in fast.resources] == ["aws_iam_user.b"]


def test_a_skipped_file_is_not_cached(tmp_path, slow_terraform, monkeypatch):
    monkeypatch.setenv("AIAAS_IAC_CACHE_DIR", str(tmp_path / "cache"))
    slow = source(tmp_path, "slow.tf", 'resource "aws_iam_user" "a" {}\n')
    assert parse_file(slow, SLOW, use_cache=True).errors
    monkeypatch.undo()
    monkeypatch.setenv("AIAAS_IAC_CACHE_DIR", str(tmp_path / "cache"))
    assert [r.address for r in parse_file(slow, SLOW, use_cache=True).resources] == ["aws_iam_user.a"]


def test_the_timer_is_cleared_and_the_handler_restored():
    before = signal.getsignal(signal.SIGALRM)
    assert within_budget(5, lambda: 42) == 42
    assert within_budget(0.05, lambda: time.sleep(5)) is None
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before
    time.sleep(0.2)  # nothing fires later


def test_a_parser_swallowing_the_first_alarm_is_interrupted_again():
    def stubborn():
        try:
            time.sleep(5)
        except BaseException:  # noqa: B036 - what a careless parser might do
            pass
        time.sleep(5)

    started = time.perf_counter()
    assert within_budget(0.05, stubborn) is None
    assert time.perf_counter() - started < 1


def test_a_runaway_regex_is_interrupted():
    import re

    started = time.perf_counter()
    assert within_budget(0.2, lambda: re.match(r"(a*)*b", "a" * 40)) is None
    assert time.perf_counter() - started < 2


def test_no_budget_outside_the_main_thread():
    results = []
    thread = threading.Thread(target=lambda: results.append(within_budget(0.01, lambda: time.sleep(0.1) or 7)))
    thread.start()
    thread.join()
    assert results == [7]


def test_an_interval_timer_of_the_caller_is_left_alone():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        assert within_budget(0.01, lambda: time.sleep(0.1) or 7) == 7
        time.sleep(0.4)
        assert fired == [1]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_the_budget_holds_in_pool_workers_too(tmp_path, slow_terraform):
    sources = [source(tmp_path, "slow.tf", 'resource "aws_iam_user" "a" {}\n')]
    sources += [source(tmp_path, f"f{i}.tf", f'resource "aws_iam_user" "u{i}" {{}}\n') for i in range(60)]
    started = time.perf_counter()
    parsed = parse_files(sources, SLOW, use_cache=False, jobs=2)
    assert time.perf_counter() - started < 20
    assert [e.message for e in parsed[0].errors] == ["took longer than 0.2 s to parse; skipped"]
    assert all(p.resources and not p.errors for p in parsed[1:])
