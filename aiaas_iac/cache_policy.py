"""Which parse results may be written to the cache: none that holds a secret value.

Redacting values before caching would hide them from the checks on a warm run
(AIA5xx must see the literal key to report it), so a file whose parse result
holds anything secret-looking is simply parsed again next time. Not cached:
- a Terraform plan (plans carry sensitive values in the clear);
- a Kubernetes Secret with `data` or `stringData`;
- any string (value, key, name, error, note, suppression reason) in which
  `redaction.secret_spans` finds a credential of a known format, a private key
  block or a random-looking token;
- a literal string under a secret-sounding name (`password`, `client_secret`,
  an env entry named `DB_TOKEN`...), which no format test recognises.
Everything else is ordinary configuration.
"""

from __future__ import annotations

import re
from typing import Any

from aiaas_iac.model import Resource, Unknown

_SECRET_NAME = re.compile(r"password|passwd|passphrase|secret|token|private_?key|api_?key|access_?key|credential"
                          r"|connection_?string|sas_?key|auth_?key", re.IGNORECASE)
# Names that say the value only points at a secret (`secret_name`, `kms_key_id`, `token_path`).
_POINTER_NAME = re.compile(r"(name|names|ref|arn|arns|id|ids|path|file|type|version|ttl|length|rotation|enabled|uri"
                           r"|url|mount|policy|expiry|expiration|duration|size|count)$", re.IGNORECASE)
_MIN_SECRET_CHARS = 8
# Setting values under such names that are words, not secrets: `http_tokens = "required"`.
_WORD_VALUE = re.compile(r"[a-z]+(?:[_\-.][a-z]+)*|arn:.*", re.DOTALL)


def _secret_name(name: Any) -> bool:
    if not isinstance(name, str):
        return False
    normalised = name.replace("-", "_").replace(".", "_")
    return bool(_SECRET_NAME.search(normalised)) and not _POINTER_NAME.search(normalised)


def _literal_secret(value: Any) -> bool:
    from aiaas_iac.secrets import is_placeholder

    return (isinstance(value, str) and len(value.strip()) >= _MIN_SECRET_CHARS and not _WORD_VALUE.fullmatch(value)
            and not is_placeholder(value))


class _Finder:
    """Walks a value; `found` turns true at the first secret-looking string."""

    def __init__(self) -> None:
        from aiaas_iac.redaction import secret_spans

        self.secret_spans = secret_spans
        self.found = False

    def text(self, value: str) -> None:
        # Shorter strings cannot hold a known-format key (20+ chars) or an opaque token (32+).
        if len(value) >= 20 and self.secret_spans(value):
            self.found = True

    def walk(self, value: Any) -> None:
        if self.found:
            return
        if isinstance(value, str):
            self.text(value)
        elif isinstance(value, dict):
            if _secret_name(value.get("name")) and _literal_secret(value.get("value")):
                self.found = True  # {"name": "DB_TOKEN", "value": "..."}: an env entry
                return
            for key, item in value.items():
                if _secret_name(key) and _literal_secret(item):
                    self.found = True
                    return
                self.walk(key)
                self.walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                self.walk(item)
        elif isinstance(value, Unknown):
            self.text(value.text)  # source text of an expression can hold a literal too
            for part in getattr(value, "parts", ()) or ():
                self.walk(part)
            for argument in getattr(value, "args", ()) or ():
                self.walk(argument)


def _resource_holds_secret(resource: Resource, finder: _Finder) -> bool:
    if resource.format == "kubernetes" and resource.type == "Secret" and (
            resource.attributes.get("data") or resource.attributes.get("stringData")):
        return True
    if resource.kind in ("variable", "local", "output", "parameter") and _secret_name(resource.name):
        attributes = resource.attributes
        if any(_literal_secret(attributes.get(name)) for name in ("default", "Default", "value")):
            return True
    for text in (resource.name, resource.address, resource.full_address):
        finder.text(text)
    finder.walk(resource.attributes)
    return finder.found


def cacheable(parsed: Any, kind: str) -> bool:
    """True when `parsed` (a ParsedFile) holds nothing that looks secret (see the module doc)."""
    if kind == "structured" and any(r.format == "terraform" for r in parsed.resources):
        return False  # a Terraform plan
    finder = _Finder()
    for resource in parsed.resources:
        if _resource_holds_secret(resource, finder):
            return False
    for error in parsed.errors:
        finder.text(error.message)
    for note in parsed.notes:
        finder.text(note)
    for suppression in parsed.suppressions:
        finder.walk(getattr(suppression, "reason", ""))
    return not finder.found
