"""A linear look at HCL text for what would make python-hcl2's lexer run for minutes.

python-hcl2 7.x lexes a heredoc with the regex

    <<(?P<heredoc>[a-zA-Z][a-zA-Z0-9._-]+)\\n?(?:.|\\n)*?\\n\\s*(?P=heredoc)\\n

which is fine on real files but backtracks in two ways a pull request controls:

- At every newline of the body it tries `\\n\\s*MARKER`: `\\s*` runs to the end of the
  whitespace that follows, then gives it back a character at a time. A run of k
  blank lines costs about k²/2 steps: 20,000 newlines took 3 s, 1 MiB would take hours.
- Without a closing line the match fails and is retried with the marker one
  character shorter, each time reading the rest of the file: a marker of G
  characters costs G - 1 reads (a 2,000-character marker: minutes).

The grammar is python-hcl2's and stays as it is; instead this module estimates
that cost in one pass before parsing, and the file is refused (one error with a
line number) when the estimate is beyond any real configuration. The estimate
over-counts (it cannot tell a heredoc from `<<` in a comment), which only
matters for files far larger and stranger than real ones.
"""

from __future__ import annotations

import re

# The budget, in characters read by the lexer's lazy `(?:.|\n)*?` (about 130 ns each on
# the reference machine): 16 million take about 2 s, and a real file comes nowhere near.
HEREDOC_COST_BUDGET = 16_000_000
# A step of `\s*` giving whitespace back costs about 1/25 of a character read.
_BLANK_STEPS_PER_CHARACTER = 25
_MARKER = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]+)")
# A line that can close a heredoc: the marker alone, after optional whitespace.
_CLOSING_LINE = re.compile(r"^[^\S\n]*([A-Za-z][A-Za-z0-9._-]+)\n", re.MULTILINE)
# Runs of 8 or more line breaks (with the whitespace between them). A shorter run costs
# under 8 steps per character: a linear amount, left out of the estimate.
_BLANK_RUN = re.compile(r"(?:\n[^\S\n]*){8,}")


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def heredoc_problem(text: str) -> tuple[str, int] | None:
    """(message, line) when lexing the heredocs of `text` would take far too long, else None."""
    first = text.find("<<")
    if first < 0:
        return None
    # At each of a run's k line breaks `\s*` reads to the end of the run and back: about k × length steps.
    steps = sum(len(run) * run.count("\n") for run in _BLANK_RUN.findall(text, first))
    blank_cost = steps // _BLANK_STEPS_PER_CHARACTER
    if blank_cost > HEREDOC_COST_BUDGET:
        run = _BLANK_RUN.search(text, first)
        line = _line(text, run.start()) + 1 if run else _line(text, first)
        return "heredoc with too many blank lines in a row to parse safely; skipped", line
    # The last line that can close each marker: a heredoc whose marker closes after it is read once.
    closing = {match.group(1): match.start() for match in _CLOSING_LINE.finditer(text, first)}
    # Without one, the lexer reads the rest of the file once per length of the marker, down to 2.
    cost = blank_cost
    for marker in _MARKER.finditer(text, first):
        name = marker.group(1)
        if closing.get(name, -1) < marker.end():
            cost += (len(name) - 1) * (len(text) - marker.start() + blank_cost)
            if cost > HEREDOC_COST_BUDGET:
                return ("unterminated heredoc (no line closes its marker), too costly to parse; skipped",
                        _line(text, marker.start()))
    return None
