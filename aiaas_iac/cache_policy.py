"""Which parse results may be written to the cache: none that holds a secret value.

Redacting values before caching would hide them from the checks on a warm run
(AIA5xx must see the literal key to report it), so a file whose parse result
holds anything secret-looking is simply parsed again next time. Not cached:
- a Terraform plan (plans carry sensitive values in the clear);
- a Kubernetes Secret with `data` or `stringData`;
- any string (value, key, name, error, note, suppression reason) in which
  `redaction.looks_secret` finds a credential of a known format, a private key
  block or a random-looking token;
- a literal string under a secret-sounding name (`password`, `client_secret`,
  an env entry named `DB_TOKEN`...), which no format test recognises.
Everything else is ordinary configuration.
"""

from __future__ import annotations

import functools
import re
from typing import Any


_SECRET_NAME = re.compile(r"password|passwd|passphrase|secret|token|private[-_.]?key|api[-_.]?key|access[-_.]?key"
                          r"|credential|connection[-_.]?string|sas[-_.]?key|auth[-_.]?key", re.IGNORECASE)
# Names that say the value only points at a secret (`secret_name`, `kms_key_id`, `token_path`).
_POINTER_NAME = re.compile(r"(name|names|ref|arn|arns|id|ids|path|file|type|version|ttl|length|rotation|enabled|uri"
                           r"|url|mount|policy|expiry|expiration|duration|size|count)$", re.IGNORECASE)
_MIN_SECRET_CHARS = 8
# Setting values under such names that are words, not secrets: `http_tokens = "required"`.
_WORD_VALUE = re.compile(r"[a-z]+(?:[_\-.][a-z]+)*|arn:.*", re.DOTALL)


def _secret_name(name: Any) -> bool:
    # Called for every key of every mapping a cached file holds, and keys repeat: remembered.
    return type(name) is str and _secret_name_text(name)


@functools.lru_cache(maxsize=8192)
def _secret_name_text(name: str) -> bool:
    return _SECRET_NAME.search(name) is not None and _POINTER_NAME.search(name) is None


def _literal_secret(value: Any) -> bool:
    from aiaas_iac.secrets import is_placeholder

    return (isinstance(value, str) and len(value.strip()) >= _MIN_SECRET_CHARS and not _WORD_VALUE.fullmatch(value)
            and not is_placeholder(value))


class Screen:
    """What `cache_codec.encode` asks about every string of 20+ characters and every mapping
    while it encodes a parse result (resource names, attributes, expression texts, errors,
    notes and suppression reasons alike)."""

    def __init__(self) -> None:
        from aiaas_iac.redaction import looks_secret

        self.text = looks_secret

    @staticmethod
    def mapping(value: dict) -> bool:
        if _secret_name(value.get("name")) and _literal_secret(value.get("value")):
            return True  # {"name": "DB_TOKEN", "value": "..."}: an env entry
        return any(_secret_name(key) and _literal_secret(item) for key, item in value.items())


def refused(parsed: Any, kind: str) -> bool:
    """The rules about whole resources, checked before encoding: plans, Secrets with data,
    variables, locals, outputs and parameters with a secret name and a literal value."""
    if kind == "structured" and any(r.format == "terraform" for r in parsed.resources):
        return True  # a Terraform plan
    for resource in parsed.resources:
        attributes = resource.attributes
        if resource.format == "kubernetes" and resource.type == "Secret" and (
                attributes.get("data") or attributes.get("stringData")):
            return True
        if resource.kind in ("variable", "local", "output", "parameter") and _secret_name(resource.name) \
                and any(_literal_secret(attributes.get(name)) for name in ("default", "Default", "value")):
            return True
    return False


def encoded_if_cacheable(parsed: Any, kind: str) -> str | None:
    """The cache entry text of `parsed` (a ParsedFile), or None when it must not be cached."""
    from aiaas_iac.cache_codec import CodecError, encode

    if refused(parsed, kind):
        return None
    try:
        return encode(parsed, Screen())
    except CodecError:  # SecretFound, or a value the codec does not carry
        return None


def cacheable(parsed: Any, kind: str) -> bool:
    return encoded_if_cacheable(parsed, kind) is not None
