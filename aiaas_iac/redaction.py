"""Text from the scanned tree as it may appear in a message: secrets redacted, length capped.

Checks quote values (an action, a key name, a list item's `name`, a `for_each`
key inside a resource address); any of them can be a credential, or the
content of a file read through `file()`. Every finding passes through
`sanitised_finding` as the engine returns it (engine.run_checks), and parse errors, notes and
tool errors through `safe_text` in the engine, so reports, the baseline and the
result cache only ever hold `redact()`ed forms (first four characters and the
length) and no message grows without bound.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from aiaas_iac.file_reads import active_scope
from aiaas_iac.secrets import find_credentials, looks_fabricated, redact, shannon_entropy

MAX_TEXT_CHARS = 300
ELLIPSIS = "…"

# A PEM private key block (service account JSON keys, TLS keys): redacted whole, even if cut short.
_PRIVATE_KEY = re.compile(r"-----BEGIN[A-Z ]{0,40}PRIVATE KEY-----.*?(?:-----END[A-Z ]{0,40}PRIVATE KEY-----|\Z)",
                          re.DOTALL)
# An opaque token of no known format (an AWS secret access key, a GitHub token...): long, random.
_OPAQUE = re.compile(r"(?<![A-Za-z0-9+/=_\-])[A-Za-z0-9+/=_\-]{32,}(?![A-Za-z0-9+/=_\-])")
# Measured on random base64/alphanumeric keys of 32-40 characters against identifiers, ARNs and
# Azure/GCP resource paths: a key switches between lower case, upper case and digits at most
# characters and has few vowels; `AmazonBedrockExecutionRoleForKnowledgeBase_123abc` or
# `/subscriptions/<guid>/resourceGroups/...` switch at word boundaries only and read like words.
# Catches ~90 % of random keys and none of those names; known formats are found separately.
_MIN_OPAQUE_ENTROPY = 4.3  # bits per character
_MIN_CLASS_SWITCHES = 0.45  # share of adjacent pairs whose character classes differ
_MAX_VOWELS = 0.4  # share of the letters


def _character_class(char: str) -> int:
    return 0 if char.islower() else 1 if char.isupper() else 2 if char.isdigit() else 3


def looks_opaque_secret(token: str) -> bool:
    """A long run that reads like a random key rather than a name (see the thresholds above)."""
    if token.islower() or token.isupper() or token.isalpha() or token.isdigit():
        return False  # quick exits (in C) for the common runs: one case, no digits, no letters
    classes = [_character_class(c) for c in token]
    if not {0, 1, 2} <= set(classes):
        return False
    switches = sum(a != b for a, b in zip(classes, classes[1:])) / (len(token) - 1)
    letters = [c for c in token if c.isalpha()]
    vowels = sum(c in "aeiouAEIOU" for c in letters) / len(letters)
    return (switches >= _MIN_CLASS_SWITCHES and vowels <= _MAX_VOWELS
            and shannon_entropy(token) >= _MIN_OPAQUE_ENTROPY and not looks_fabricated(token, ""))


# A file extension right after a run (`.yaml`, `.tf.json`), or a run that starts a relative
# path (`../x/…`, `./x/…`): the run is a path, whose directories read as words one by one.
_EXTENSION_AFTER = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,7}\b")


def _opaque_spans(text: str) -> list[tuple[int, int]]:
    """Random-looking runs. A path (a Helm template, a `file()` target in a note or a parse
    error) is judged directory by directory, so `charts/aiGw2/templates/k8sQ2wX7` stays
    readable while a random 32+ character file name in it is still redacted."""
    spans = []
    for match in _OPAQUE.finditer(text):
        run, start = match.group(), match.start()
        is_path = "/" in run.strip("/") and (
            _EXTENSION_AFTER.match(text, match.end()) is not None
            or (run.startswith("/") and text[start - 1:start] == "."))
        if not is_path:
            if looks_opaque_secret(run):
                spans.append(match.span())
            continue
        offset = start
        for segment in run.split("/"):
            if len(segment) >= 32 and looks_opaque_secret(segment):
                spans.append((offset, offset + len(segment)))
            offset += len(segment) + 1
    return spans


def secret_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every part of `text` that looks secret, overlapping ones merged."""
    spans = [(m.start, m.start + len(m.token)) for m in find_credentials(text)]
    if "PRIVATE KEY" in text:
        spans += [m.span() for m in _PRIVATE_KEY.finditer(text)]
    if len(text) >= 32:
        spans += _opaque_spans(text)
    spans += _file_content_spans(text)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _file_content_spans(text: str) -> list[tuple[int, int]]:
    """A file read through file()/templatefile() during this scan, quoted whole."""
    scope = active_scope()
    if scope is None or not scope.texts:
        return []
    spans = []
    for content in scope.texts:
        start = text.find(content)
        while start >= 0:
            spans.append((start, start + len(content)))
            start = text.find(content, start + len(content))
    return spans


def looks_secret(text: str) -> bool:
    """Whether any part of `text` looks secret: `secret_spans` without building them (the cache
    asks this of every longer string it stores)."""
    if next(find_credentials(text), None) is not None:
        return True
    if "PRIVATE KEY" in text and _PRIVATE_KEY.search(text):
        return True
    if len(text) >= 32 and _opaque_spans(text):
        return True
    return bool(_file_content_spans(text))


def safe_text(value: Any, limit: int = MAX_TEXT_CHARS) -> str:
    """`value` as text with every secret-looking part redacted, cut to `limit` characters."""
    text = value if isinstance(value, str) else str(value)
    spans = secret_spans(text)
    if spans:
        pieces, position = [], 0
        for start, end in spans:
            pieces += [text[position:start], redact(text[start:end])]
            position = end
        pieces.append(text[position:])
        text = "".join(pieces)
    if len(text) > limit:
        text = text[:limit - len(ELLIPSIS)] + ELLIPSIS
    return text


def sanitised_finding(finding: Any) -> Any:
    """The finding with message, detail, resource and suppression reason made safe (the same
    object when nothing needed changing, the common case)."""
    changes = {}
    for name in ("message", "detail", "resource", "suppression_reason"):
        value = getattr(finding, name)
        if value:
            safe = safe_text(value)
            if safe != value:
                changes[name] = safe
    return dataclasses.replace(finding, **changes) if changes else finding


def sanitised_error(error: Any) -> Any:
    """A ParseError whose message (which may quote the file) is made safe."""
    safe = safe_text(error.message)
    return error if safe == error.message else dataclasses.replace(error, message=safe)
