"""Anchored path globs for `exclude` and `per-path-ignores`, matched in linear-bounded time.

A glob is relative to an anchor directory (a config file's directory, or the
scan root for `--exclude`) and matches a path relative to that anchor:

- `*` matches within one path segment and never crosses `/`; `?` and `[...]`
  match one character of a segment;
- a whole segment `**` matches any number of directories (zero included), so
  `**/examples` finds `examples` at any depth and `legacy/**` everything under
  `legacy`;
- a glob that matches a directory matches everything under it: `examples` and
  `examples/` exclude `./examples/` and its contents, not `prod/examples/`.

Patterns come from a config file in the scanned repository and paths from its
file names, both hostile. Translating globs to a backtracking regex lets
`*a*a*a*a*b` take polynomial time per path, so matching is done here: a
segment matcher that only ever backtracks to the last `*` (O(len(pattern) x
len(segment)) at worst), and a state-set walk over segments for `**`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

MAX_PATTERN_LENGTH = 1024

_STAR = object()  # `*` inside a segment
_ANY_CHAR = object()  # `?`
_ANY_DEPTH = object()  # a whole `**` segment


class PatternError(ValueError):
    """A glob that cannot be used (too long); the message says why."""


@dataclass(frozen=True)
class _CharClass:
    chars: frozenset[str]
    ranges: tuple[tuple[str, str], ...]
    negated: bool

    def accepts(self, char: str) -> bool:
        inside = char in self.chars or any(low <= char <= high for low, high in self.ranges)
        return inside != self.negated


def _char_class(segment: str, start: int) -> tuple[_CharClass, int] | None:
    """Parse `[...]` at `start`; None when unterminated (the `[` is then a literal)."""
    index = start + 1
    negated = index < len(segment) and segment[index] in "!^"
    if negated:
        index += 1
    first = index
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    while index < len(segment) and (segment[index] != "]" or index == first):
        if index + 2 < len(segment) and segment[index + 1] == "-" and segment[index + 2] != "]":
            ranges.append((segment[index], segment[index + 2]))
            index += 3
        else:
            chars.add(segment[index])
            index += 1
    if index >= len(segment):
        return None
    return _CharClass(frozenset(chars), tuple(ranges), negated), index + 1


def _segment_tokens(segment: str) -> tuple:
    tokens: list = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char == "*":
            if not tokens or tokens[-1] is not _STAR:  # `**` inside a segment is one `*`
                tokens.append(_STAR)
            index += 1
        elif char == "?":
            tokens.append(_ANY_CHAR)
            index += 1
        elif char == "[" and (parsed := _char_class(segment, index)) is not None:
            tokens.append(parsed[0])
            index = parsed[1]
        else:
            tokens.append(char)
            index += 1
    return tuple(tokens)


def _token_accepts(token: object, char: str) -> bool:
    if token is _ANY_CHAR:
        return True
    if isinstance(token, _CharClass):
        return token.accepts(char)
    return token == char


def _wildcard_match(tokens: tuple, text: str) -> bool:
    """Greedy match that, on a mismatch, retries only from the most recent `*`: never exponential."""
    position = token_index = 0
    star_index, star_position = -1, 0
    while position < len(text):
        if token_index < len(tokens) and tokens[token_index] is _STAR:
            star_index, star_position = token_index, position
            token_index += 1
        elif token_index < len(tokens) and _token_accepts(tokens[token_index], text[position]):
            token_index += 1
            position += 1
        elif star_index >= 0:
            star_position += 1
            position, token_index = star_position, star_index + 1
        else:
            return False
    while token_index < len(tokens) and tokens[token_index] is _STAR:
        token_index += 1
    return token_index == len(tokens)


class _Segment:
    """One `/`-free piece of a glob, with the cheapest test that decides it."""

    __slots__ = ("literal", "prefix", "suffix", "tokens")

    def __init__(self, text: str) -> None:
        self.tokens = _segment_tokens(text)
        self.literal = text if all(isinstance(t, str) for t in self.tokens) else None
        self.prefix = self.suffix = None
        stars = [i for i, t in enumerate(self.tokens) if t is _STAR]
        if len(stars) == 1 and all(isinstance(t, str) or t is _STAR for t in self.tokens):
            self.prefix = "".join(self.tokens[:stars[0]])
            self.suffix = "".join(self.tokens[stars[0] + 1:])

    def matches(self, name: str) -> bool:
        if self.literal is not None:
            return name == self.literal
        if self.prefix is not None:
            return (len(name) >= len(self.prefix) + len(self.suffix)
                    and name.startswith(self.prefix) and name.endswith(self.suffix))
        return _wildcard_match(self.tokens, name)


def _normalise(pattern: str) -> list[str]:
    """Segments of a glob without `.`, empty segments or repeated `**`: `./a//b/` -> [a, b]."""
    segments: list[str] = []
    for segment in pattern.replace("\\", "/").split("/"):
        if segment in ("", "."):
            continue
        if segment == "**" and segments and segments[-1] == "**":
            continue
        segments.append(segment)
    return segments


class PathGlob:
    """A glob matched against `/`-separated paths relative to its anchor directory."""

    def __init__(self, pattern: str) -> None:
        if len(pattern) > MAX_PATTERN_LENGTH:
            raise PatternError(f"glob longer than {MAX_PATTERN_LENGTH} characters")
        self.pattern = pattern
        segments = _normalise(pattern) or ["**"]  # "." or "/" is the anchor directory itself
        self._literal = "/".join(segments) if all(_Segment(s).literal is not None and s != "**" for s in segments) else None
        self._parts = tuple(_ANY_DEPTH if s == "**" else _Segment(s) for s in segments)

    def __repr__(self) -> str:
        return f"PathGlob({self.pattern!r})"

    def _closure(self, states: set[int]) -> set[int]:
        for state in sorted(states):
            while state < len(self._parts) and self._parts[state] is _ANY_DEPTH:
                state += 1
                states.add(state)
        return states

    def matches(self, path: str) -> bool:
        """True when the glob matches `path` or one of the directories above it."""
        if self._literal is not None:
            return path == self._literal or path.startswith(self._literal + "/")
        end = len(self._parts)
        states = self._closure({0})
        for name in path.split("/"):
            advanced: set[int] = set()
            for state in states:
                if state == end:
                    continue
                part = self._parts[state]
                if part is _ANY_DEPTH:
                    advanced.add(state)
                elif part.matches(name):
                    advanced.add(state + 1)
            if not advanced:
                return False
            states = self._closure(advanced)
            if end in states:
                return True
        return False


class AnchoredGlobs:
    """Globs relative to `anchor`, asked about paths given relative to the scan root."""

    def __init__(self, patterns: Iterable[str], anchor: Path) -> None:
        self.globs = tuple(PathGlob(p) for p in patterns)
        self.anchor = anchor

    def bind(self, root: Path) -> "_BoundGlobs":
        return _BoundGlobs(self.globs, _posix(self.anchor), _posix(root))


def _posix(path: Path) -> str:
    return Path(os.path.abspath(path)).as_posix().rstrip("/")


class _BoundGlobs:
    def __init__(self, globs: Sequence[PathGlob], anchor: str, root: str) -> None:
        self.globs = globs
        self.anchor_prefix = anchor + "/"
        if root == anchor:
            self.root_from_anchor: str | None = ""
        elif root.startswith(self.anchor_prefix):
            self.root_from_anchor = root[len(self.anchor_prefix):] + "/"
        else:
            self.root_from_anchor = None  # the anchor is below the root or elsewhere: go via absolute paths
        self.root = root

    def from_anchor(self, rel: str) -> str | None:
        """`rel` (relative to the scan root, or absolute) as a path relative to the anchor."""
        if self.root_from_anchor is not None and not rel.startswith("/"):
            return self.root_from_anchor + rel
        full = rel if rel.startswith("/") else f"{self.root}/{rel}"
        return full[len(self.anchor_prefix):] if full.startswith(self.anchor_prefix) else None

    def first_match(self, rel: str) -> PathGlob | None:
        path = self.from_anchor(rel)
        if path is None or not path:
            return None
        return next((glob for glob in self.globs if glob.matches(path)), None)


class PathFilter:
    """Every exclude of a scan (command-line ones anchored at the root, a config's at its
    directory), answering "is this root-relative path excluded?"."""

    def __init__(self, root: Path, groups: Iterable[AnchoredGlobs]) -> None:
        self._bound = [group.bind(root) for group in groups if group.globs]

    def __bool__(self) -> bool:
        return bool(self._bound)

    def excludes(self, rel: str) -> bool:
        return any(bound.first_match(rel) is not None for bound in self._bound)
