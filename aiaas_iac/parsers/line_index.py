"""Line positions for the YAML/JSON loader: PyYAML marks (0-based) -> 1-based spans."""

from __future__ import annotations

from typing import Any

from aiaas_iac.model import Span, new_span


class LineIndex:
    """Turns PyYAML marks (0-based) into 1-based spans that end on the last line with content."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None
        # Per line, the last line at or before it holding content (or a comment); -1 if none.
        self._last_content: list[int] | None = None
        self._last_filled: list[int] | None = None

    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def _index_filled_lines(self) -> None:
        """Computed once, on first need. A span then finds where its content ends in one step:
        walking back line by line, each of up to 200 nested collections that end together
        walked the same blank lines again."""
        filled, content = [], []
        last_filled = last_content = -1
        for index, line in enumerate(self.lines()):
            stripped = line.lstrip()
            if stripped:
                last_filled = index
                if stripped[0] != "#":
                    last_content = index
            filled.append(last_filled)
            content.append(last_content)
        self._last_filled, self._last_content = filled, content

    def span(self, start: Any, end: Any, block_scalar: bool = False) -> Span:
        start_line, end_line = start.line, end.line
        if end_line > start_line:
            lines = self.lines()
            # A block collection ends where the next token starts: before that line's indentation.
            if end_line >= len(lines) or not lines[end_line][:end.column].strip():
                if self._last_content is None:
                    self._index_filled_lines()
                # A block scalar's own lines may start with '#': only blank lines trail it.
                last_lines = self._last_filled if block_scalar else self._last_content
                last = last_lines[min(end_line, len(lines)) - 1]  # type: ignore[index]
                return new_span(start_line + 1, (last if last > start_line else start_line) + 1, start.column + 1, None)
        return new_span(start_line + 1, max(end_line, start_line) + 1, start.column + 1, end.column + 1)
