"""IAM glob matching: the semantics of fnmatch with only `*` and `?`, case-insensitive, in linear time."""

from __future__ import annotations

import fnmatch
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from aiaas_iac.iam.actions import bedrock_actions, matches_any_bedrock_action
from aiaas_iac.iam.glob import MAX_FIXED_CHARACTERS, glob_match

# A small alphabet makes overlapping and repeated segments (the hard cases) likely.
PATTERNS = st.text(alphabet="abAB:*?", max_size=12)
VALUES = st.text(alphabet="abAB:", max_size=12)


def reference(pattern: str, value: str) -> bool:
    # fnmatch's only other specials are `[...]`, which the alphabets above never produce.
    return fnmatch.fnmatchcase(value.lower(), pattern.lower())


@settings(max_examples=3000, deadline=None)
@given(PATTERNS, VALUES)
def test_matches_like_fnmatch_on_small_alphabets(pattern, value):
    assert glob_match(pattern, value) is reference(pattern, value)


@settings(max_examples=500, deadline=None)
@given(PATTERNS, VALUES)
def test_a_pattern_always_matches_itself_with_wildcards_filled_in(pattern, value):
    filled = pattern.replace("?", "a").replace("*", value)
    assert glob_match(pattern, filled)


def test_star_matches_the_empty_run_and_question_mark_exactly_one_character():
    assert glob_match("bedrock:*", "bedrock:")
    assert glob_match("a**b", "ab")
    assert not glob_match("bedrock:?", "bedrock:")
    assert not glob_match("bedrock:??", "bedrock:x")
    assert glob_match("?" * 3, "ab\n")  # `?` is any character, newline included


def test_case_folding_keeps_one_character_for_one():
    assert glob_match("BEDROCK:İnvoke?", "bedrock:İnvokeX")
    assert not glob_match("bedrock:?nvoke", "bedrock:i̇nvoke")  # `i̇` is two characters


def test_backtracking_pattern_against_every_bedrock_action_is_fast():
    started = time.perf_counter()
    assert not matches_any_bedrock_action("*?" * 15 + "!")
    assert not any(glob_match("*?" * 200 + "!", action) for action in bedrock_actions())
    assert time.perf_counter() - started < 1.0


def test_a_pattern_needing_more_characters_than_the_value_fails_at_once():
    huge = "*?" * 500_000
    started = time.perf_counter()
    assert not any(glob_match(huge, action) for action in bedrock_actions())
    assert time.perf_counter() - started < 1.0


def test_long_patterns_are_still_matched_exactly():
    pattern = "*" + "a?" * MAX_FIXED_CHARACTERS + "*"
    assert glob_match(pattern, "x" + "ab" * MAX_FIXED_CHARACTERS + "y")
    assert not glob_match(pattern, "x" + "ba" * MAX_FIXED_CHARACTERS)
