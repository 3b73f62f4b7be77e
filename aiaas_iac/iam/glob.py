"""IAM-style globs (`*` any run, `?` one character, case-insensitive) in linear time.

Policies come from the scanned repository, so a pattern is hostile input. A
glob compiled to one backtracking regex (`^.*.?.*.?...!$`) takes exponential
time on a pattern such as `"*?" * 15 + "!"`, and every Action pattern is tried
against every Bedrock action. Here a pattern is split at its `*`s into
segments of literal characters and `?`s, each of fixed length: the first must
match at the start, the last at the end, and each one in between is placed at
its leftmost position after the previous one. Leftmost placement is always
safe (a later placement leaves less room for the segments that follow), so
nothing is ever retried: a match costs O(len(pattern) * len(value)) at worst.
The common shapes take shortcuts with the same bound: at most one `*`
(`bedrock:*`, `bedrock:Invoke*`) is a regex with a single `.*`, and several
`*`s without `?` (`bedrock:*Logging*`) are placed with `str.find`.

A pattern needs at least as many characters as it has non-`*` characters, so
one needing more than the value has fails at once. Patterns that need more than
`MAX_FIXED_CHARACTERS` (no IAM action, service prefix or ARN part comes close)
are not kept in the compiled cache; they are still matched exactly, just not
remembered. IAM globs have no escapes and no character classes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable

MAX_FIXED_CHARACTERS = 1_000
_STARS = re.compile(r"\*{2,}")


def fold_case(text: str) -> str:
    """Lower-case, one character for one, so that `?` still stands for exactly one character."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters lower to two (`İ` -> `i̇`): keep those as they are.
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@dataclass(frozen=True)
class _Segment:
    """A run of literal characters and `?`s between two `*`s, as its literal pieces."""

    length: int
    pieces: tuple[tuple[int, str], ...]  # (offset in the segment, literal text), `?`s left out

    def matches_at(self, value: str, start: int) -> bool:
        """Caller guarantees `start + length <= len(value)`."""
        return all(value.startswith(piece, start + offset) for offset, piece in self.pieces)

    def find(self, value: str, start: int, end: int) -> int:
        """Leftmost position in value[start:end] where the segment matches, or -1."""
        last = end - self.length
        if last < start:
            return -1
        if not self.pieces:
            return start
        offset, anchor = self.pieces[0]
        found = value.find(anchor, start + offset, last + offset + len(anchor))
        while found >= 0:
            if self.matches_at(value, found - offset):
                return found - offset
            found = value.find(anchor, found + 1, last + offset + len(anchor))
        return -1


def _segment(text: str) -> _Segment:
    pieces = []
    offset = 0
    for part in text.split("?"):
        if part:
            pieces.append((offset, part))
        offset += len(part) + 1
    return _Segment(len(text), tuple(pieces))


@dataclass(frozen=True)
class _Glob:
    segments: tuple[_Segment, ...]  # one segment: no `*` at all
    fixed: int  # characters any match needs: everything but the `*`s

    def matches(self, value: str) -> bool:
        size = len(value)
        segments = self.segments
        if len(segments) == 1:
            return size == self.fixed and segments[0].matches_at(value, 0)
        if size < self.fixed:
            return False
        first, last = segments[0], segments[-1]
        if not first.matches_at(value, 0) or not last.matches_at(value, size - last.length):
            return False
        position, end = first.length, size - last.length
        for segment in segments[1:-1]:
            found = segment.find(value, position, end)
            if found < 0:
                return False
            position = found + segment.length
        return True


def _literal_matcher(first: str, middle: list[str], last: str, fixed: int) -> Callable[[str], bool]:
    """The common multi-star case (`bedrock:*Logging*`): no `?`, so plain `str.find` places each part."""
    def matches(value: str) -> bool:
        value = fold_case(value)
        end = len(value) - len(last)
        if len(value) < fixed or not value.startswith(first) or not value.endswith(last):
            return False
        position = len(first)
        for part in middle:
            found = value.find(part, position, end)
            if found < 0:
                return False
            position = found + len(part)
        return True
    return matches


def _compile(pattern: str) -> _Glob:
    parts = fold_case(pattern).split("*")
    # `a**b` is `a*b`: empty parts between stars vanish, the first and last stay as anchors.
    middle = [p for p in parts[1:-1] if p]
    texts = [parts[0]] + middle + [parts[-1]] if len(parts) > 1 else parts
    segments = tuple(_segment(t) for t in texts)
    return _Glob(segments, sum(s.length for s in segments))


def _single_star_regex(pattern: str) -> re.Pattern:
    """`abc`, `abc*`, `a?c*xyz`: at most one `*`, so the regex engine places it at most
    len(value) ways, each checked in constant time per character: linear, and in C."""
    escaped = re.escape(fold_case(pattern)).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(escaped, re.DOTALL | re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str) -> Callable[[str], bool] | None:
    """The pattern as a predicate on values, or None for a pattern too long to be worth remembering."""
    if _fixed_characters(pattern) > MAX_FIXED_CHARACTERS:
        return None
    collapsed = _STARS.sub("*", pattern)
    if collapsed.count("*") <= 1:
        return _single_star_regex(collapsed).fullmatch  # type: ignore[return-value]
    if "?" not in collapsed:
        parts = fold_case(collapsed).split("*")
        return _literal_matcher(parts[0], parts[1:-1], parts[-1], len(collapsed) - collapsed.count("*"))
    glob = _compile(collapsed)
    return lambda value: glob.matches(fold_case(value))


@functools.lru_cache(maxsize=256)
def _fixed_characters(pattern: str) -> int:
    """How many characters a value needs to match `pattern` (one per character but `*`)."""
    return len(pattern) - pattern.count("*")


def glob_match(pattern: str, value: str) -> bool:
    """IAM-style match: case-insensitive, `*` any run (including none), `?` exactly one character."""
    matches = _compiled(pattern)
    if matches is None:
        if _fixed_characters(pattern) > len(value):
            return False  # needs more characters than the value has: no work (counted once per pattern)
        return _compile(pattern).matches(fold_case(value))
    return bool(matches(value))
