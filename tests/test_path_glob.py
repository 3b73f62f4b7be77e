"""Anchored path globs (exclude, per-path-ignores): semantics, anchoring and bounded time."""

import fnmatch
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiaas_iac.discover import discover
from aiaas_iac.path_glob import AnchoredGlobs, PathFilter, PathGlob, PatternError
from conftest import write_tree


@pytest.mark.parametrize("pattern, path, expected", [
    # A bare name is anchored: the directory at the anchor and everything under it.
    ("examples", "examples", True),
    ("examples", "examples/main.tf", True),
    ("examples", "prod/examples/main.tf", False),
    ("examples/", "examples/a/b.tf", True),
    ("./examples", "examples/main.tf", True),
    ("/examples", "examples/main.tf", True),
    ("examples", "examples2/main.tf", False),
    # `**` is any number of directories, zero included.
    ("**/examples", "prod/examples/main.tf", True),
    ("**/examples", "examples/main.tf", True),
    ("**/examples", "a/b/c/examples", True),
    ("**/examples", "a/examples2/x.tf", False),
    ("legacy/**", "legacy/a/b/c.tf", True),
    ("legacy/**", "legacy", True),
    ("legacy/**", "other/legacy/x.tf", False),
    ("a/**/b", "a/b", True),
    ("a/**/b", "a/x/y/b/z.tf", True),
    ("a/**/**/b", "a/b/c", True),
    ("**", "anything/at/all.tf", True),
    (".", "main.tf", True),
    # `*` and `?` stay inside one segment.
    ("*.tf", "main.tf", True),
    ("*.tf", "mod/main.tf", False),
    ("**/*.tf", "mod/deep/main.tf", True),
    ("*", "main.tf", True),
    ("*", "a/b/c.tf", True),  # `a` matches, so everything under it
    ("mod*/main.tf", "modules/main.tf", True),
    ("mod*/main.tf", "mod/x/main.tf", False),
    ("?ain.tf", "main.tf", True),
    ("?ain.tf", "/ain.tf", False),
    ("a*b*c", "axxbyyc", True),
    ("a*b*c", "axxbyy", False),
    ("*test*", "my_test_dir/x", True),
    # Character classes.
    ("env[0-9]", "env3/main.tf", True),
    ("env[!0-9]", "env3/main.tf", False),
    ("env[!0-9]", "envx", True),
    ("[]]x", "]x", True),
    ("[abc", "[abc/main.tf", True),  # unterminated: a literal `[`
])
def test_glob_semantics(pattern, path, expected):
    assert PathGlob(pattern).matches(path) is expected


@given(st.text(alphabet="ab*?/", max_size=8), st.text(alphabet="ab/", max_size=10))
@settings(max_examples=400, deadline=None)
def test_single_segment_globs_agree_with_fnmatch_where_semantics_coincide(pattern, name):
    """Within one segment (no `/` anywhere) `*` and `?` mean what fnmatch means."""
    pattern, name = pattern.replace("/", ""), name.replace("/", "")
    if not name:
        return
    assert PathGlob(pattern).matches(name) == fnmatch.fnmatchcase(name, pattern or "*")


def test_hostile_patterns_and_paths_take_linear_time():
    started = time.perf_counter()
    stars = PathGlob("*a" * 40 + "*b")
    assert not stars.matches("a" * 255)
    deep = PathGlob("/".join(["**", "*a*a*a*a*b"] * 20))
    assert not deep.matches("/".join(["a" * 100] * 40))
    assert time.perf_counter() - started < 1.0


def test_overlong_pattern_is_refused():
    with pytest.raises(PatternError):
        PathGlob("a" * 5000)


def test_anchor_above_the_scan_root(tmp_path):
    """A config in the repository root, scanned from `infra/`: its globs still read from the root."""
    root = tmp_path / "infra"
    root.mkdir()
    path_filter = PathFilter(root, [AnchoredGlobs(["infra/legacy", "examples"], tmp_path)])
    assert path_filter.excludes("legacy/main.tf")
    assert not path_filter.excludes("examples/main.tf")  # that is infra/examples, not ./examples


def test_anchor_below_the_scan_root(tmp_path):
    path_filter = PathFilter(tmp_path, [AnchoredGlobs(["legacy"], tmp_path / "team")])
    assert path_filter.excludes("team/legacy/main.tf")
    assert not path_filter.excludes("legacy/main.tf")


def test_discover_anchors_excludes_at_the_root(tmp_path):
    write_tree(tmp_path, {"examples/a.tf": "", "prod/examples/b.tf": "", "prod/main.tf": ""})
    sources, _ = discover([tmp_path], tmp_path, ["examples"])
    assert [s.rel for s in sources] == ["prod/examples/b.tf", "prod/main.tf"]
    sources, _ = discover([tmp_path], tmp_path, ["**/examples"])
    assert [s.rel for s in sources] == ["prod/main.tf"]
    sources, _ = discover([Path(tmp_path)], tmp_path, PathFilter(tmp_path, []))
    assert len(sources) == 3
