"""What a credential looks like: known key formats, AI credential names, placeholders, redaction.

Shared by the credential checks (AIA5xx), the Kubernetes checks (AIA4xx) and
any check that must decide whether a literal is a secret. Nothing here ever
returns or formats a whole credential: `redact` shows at most its first four
characters and its length.

Formats follow the providers' documented prefixes and the lengths and
alphabets that public secret scanners (gitleaks, TruffleHog) validate against.
"""

from __future__ import annotations

import base64
import functools
import binascii
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterator

REDACTED_PREFIX_CHARS = 4

# A token must not continue into neighbouring token characters: `sk-…` inside a
# longer identifier, or an `AKIA…` run inside a longer upper-case word, is not a key.
# The "not preceded by" test is a lookbehind placed *after* the literal lead
# (`sk-(?<![…]sk-)…`), not before it: a pattern that starts with a literal lets the
# regex engine jump from one occurrence of the lead to the next instead of trying
# the lookbehind at every position of the text (15 formats over a 1 MB string of
# `sk-sk-sk-…` took 0.9 s that way, a few milliseconds this way).
_TOKEN_CHARS = r"[A-Za-z0-9_\-]"
_TOKEN_CHARS_B64 = r"[A-Za-z0-9+/=_\-]"
_AFTER = r"(?![A-Za-z0-9_\-])"
_AFTER_B64 = r"(?![A-Za-z0-9+/=_\-])"


@dataclass(frozen=True)
class CredentialFormat:
    """One provider's key format. `prefix` is what is not random (excluded from the entropy test)."""

    description: str  # "an OpenAI project key"
    prefix: str
    pattern: re.Pattern


def _format(description: str, prefix: str, rest: str, base64_alphabet: bool = False,
            lead: str | None = None) -> CredentialFormat:
    """A format whose tokens are `lead` (default: `prefix`) followed by the regex `rest`."""
    lead = prefix if lead is None else lead
    before, after = (_TOKEN_CHARS_B64, _AFTER_B64) if base64_alphabet else (_TOKEN_CHARS, _AFTER)
    literal = re.escape(lead)
    return CredentialFormat(description, prefix, re.compile(f"{literal}(?<!{before}{literal}){rest}{after}"))


CREDENTIAL_FORMATS: tuple[CredentialFormat, ...] = (
    _format("an Anthropic API key", "sk-ant-", r"(?:api|admin)\d\d-[A-Za-z0-9_\-]{80,}"),
    _format("an Anthropic OAuth token", "sk-ant-", r"(?:oat|ort)\d\d-[A-Za-z0-9_\-]{40,}"),
    _format("an OpenAI project key", "sk-proj-", r"[A-Za-z0-9_\-]{40,}"),
    _format("an OpenAI service account key", "sk-svcacct-", r"(?:svcacct|service)-[A-Za-z0-9_\-]{40,}", lead="sk-"),
    _format("an OpenAI admin key", "sk-admin-", r"[A-Za-z0-9_\-]{40,}"),
    _format("an OpenAI API key", "sk-", r"[A-Za-z0-9]{48}"),
    _format("a Google API key", "AIza", r"[0-9A-Za-z_\-]{35}"),
    _format("a Hugging Face token", "hf_", r"[A-Za-z0-9]{34}"),
    _format("a Groq API key", "gsk_", r"[A-Za-z0-9]{52}"),
    _format("a Replicate API token", "r8_", r"[A-Za-z0-9_\-]{37}"),
    _format("an xAI API key", "xai-", r"[A-Za-z0-9]{80}"),
    # Long-term Bedrock API keys are "ABSK" + base64("BedrockAPIKey-<id>-at-<account>:<secret>").
    _format("a Bedrock API key", "ABSKQmVkcm9ja0FQSUtleS", r"[A-Za-z0-9+/]{60,}={0,2}", base64_alphabet=True),
    # Short-term ones are "bedrock-api-key-" + base64("bedrock.amazonaws.com/?Action=CallWithBearerToken&…").
    _format("a Bedrock short-term API key", "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t",
            r"[A-Za-z0-9+/]{60,}={0,2}", base64_alphabet=True),
    # AWS key IDs are base32 after the 4-letter type prefix (no 0, 1, 8 or 9).
    _format("an AWS access key ID", "AKIA", r"[A-Z2-7]{16}"),
    _format("an AWS temporary access key ID", "ASIA", r"[A-Z2-7]{16}"),
)

# AWS documents its example keys with the word EXAMPLE in them (AKIAIOSFODNN7EXAMPLE);
# modules and READMEs copy them. They grant nothing, and a critical finding on them
# would teach users to ignore the check.
_EXAMPLE_WORDS = re.compile(r"example|placeholder|redacted|dummy|changeme|your[_\-]|[_\-]here(?![a-z])", re.IGNORECASE)
# Bits per character a random body has at least (all but ~1 in 100,000 random keys): 3.0,
# or 2.5 for the 16-character AWS key ID body, whose entropy cannot exceed 4.
_MIN_ENTROPY_BITS = 3.0
_MIN_ENTROPY_BITS_SHORT = 2.5
_SHORT_BODY = 20
_MAX_REPEAT = 5  # xxxxxx, 000000: filler, not a random key
_MAX_ASCENDING = 5  # abcdef, 123456: a hand-typed fake


@dataclass(frozen=True)
class CredentialMatch:
    """A credential found inside a string value. `token` is the secret itself: never print it."""

    format: CredentialFormat
    token: str
    start: int = 0  # offset inside the searched text

    def describe(self) -> str:
        """`an OpenAI project key sk-p… (164 chars)`: safe for messages."""
        return f"{self.format.description} {redact(self.token)}"


def redact(value: str) -> str:
    """`sk-p… (51 chars)`: at most the first four characters and the length. The one format
    every check, reporter and cache uses to show a secret."""
    return f"{value[:REDACTED_PREFIX_CHARS]}… ({len(value)} chars)"


def shannon_entropy(text: str) -> float:
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


# Maps each ASCII code to the next one (127 to 0x80, which no ASCII text holds).
_ASCII_SUCCESSOR = bytes(range(1, 128)) + b"\x80" + bytes(range(128, 256))


def _has_run(text: str, step: int, longer_than: int) -> bool:
    """True when more than `longer_than` characters in a row each come `step` (0 or 1) code points
    after the previous one: `xxxxxx` (step 0), `abcdef` (step 1).

    Compared in C, not in a Python loop over the characters: a 1 MB token took 0.3 s per test that way.
    The text (for step 1, each character replaced by the next one) is XORed with the text one
    character further on, as two big integers: a run is a row of zero bytes.
    """
    if len(text) <= longer_than:
        return False
    if not text.isascii():  # never from find_credentials: every format's alphabet is ASCII
        run = 0
        for previous, char in zip(text, text[1:]):
            run = run + 1 if ord(char) - ord(previous) == step else 0
            if run >= longer_than:
                return True
        return False
    data = text.encode("ascii")
    shifted = data.translate(_ASCII_SUCCESSOR) if step else data
    differences = int.from_bytes(shifted[:-1], "big") ^ int.from_bytes(data[1:], "big")
    return b"\0" * longer_than in differences.to_bytes(len(data) - 1, "big")


def looks_fabricated(token: str, prefix: str) -> bool:
    """A format match that is a documented example or hand-typed filler rather than a real key."""
    body = token[len(prefix):]
    return bool(
        _EXAMPLE_WORDS.search(token)
        or is_dummy_value(token)
        or shannon_entropy(body) < (_MIN_ENTROPY_BITS_SHORT if len(body) <= _SHORT_BODY else _MIN_ENTROPY_BITS)
        or _has_run(body, 0, _MAX_REPEAT)
        or _has_run(body, 1, _MAX_ASCENDING)
    )


@functools.lru_cache(maxsize=1)
def _any_prefix() -> re.Pattern:
    """One search for every format's prefix: most strings hold none, and then the dozen
    format patterns need not run (AIA501 looks at every literal of the scan)."""
    return re.compile("|".join(sorted({re.escape(f.prefix) for f in CREDENTIAL_FORMATS}, key=len, reverse=True)))


MIN_CREDENTIAL_CHARS = 20  # the shortest format (an AWS access key ID): shorter text holds none


def find_credentials(text: str) -> Iterator[CredentialMatch]:
    """Every credential of a known format inside `text`, in order of appearance."""
    if not isinstance(text, str) or len(text) < MIN_CREDENTIAL_CHARS or not _any_prefix().search(text):
        return
    yield from _credentials_in(text)


# Several checks ask about the same literal, and one value can reach many resources
# (a local, a YAML alias): a long text is searched once, not once per question.
@functools.lru_cache(maxsize=256)
def _credentials_in(text: str) -> tuple[CredentialMatch, ...]:
    found: list[tuple[int, CredentialMatch]] = []
    for credential_format in CREDENTIAL_FORMATS:
        for match in credential_format.pattern.finditer(text):
            token = match.group(0)
            if not looks_fabricated(token, credential_format.prefix):
                found.append((match.start(), CredentialMatch(credential_format, token, match.start())))
    return tuple(credential for _, credential in sorted(found, key=lambda item: item[0]))


def find_credential(text: str) -> CredentialMatch | None:
    """The first credential of a known format inside `text`, if any."""
    return next(find_credentials(text), None)


# CHECKS.md "AI credential names".
_AI_CREDENTIAL_NAME = re.compile(
    r"(OPENAI|AZURE_OPENAI|ANTHROPIC|GEMINI|GOOGLE_API|VERTEX|COHERE|MISTRAL|GROQ|HUGGINGFACE|HF|TOGETHER"
    r"|REPLICATE|PERPLEXITY|DEEPSEEK|XAI|VOYAGE|PINECONE|LANGSMITH|LANGCHAIN)[A-Z0-9_]*(KEY|TOKEN|SECRET)",
    re.IGNORECASE,
)
EXTRA_AI_CREDENTIAL_NAMES = frozenset({"AWS_BEARER_TOKEN_BEDROCK"})
# CHECKS.md "Cloud credential names": credentials of a cloud account, not of an AI service. They
# make no workload an AI workload and no Secret key an AI credential.
CLOUD_CREDENTIAL_NAMES = frozenset({
    "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "AZURE_CLIENT_SECRET",
    "GOOGLE_APPLICATION_CREDENTIALS",
})


def is_ai_credential_name(name: object) -> bool:
    """True for an environment/secret key such as OPENAI_API_KEY, HF_TOKEN or AWS_BEARER_TOKEN_BEDROCK
    (not for cloud credential names such as AWS_SECRET_ACCESS_KEY).

    The whole name must match (`OPENAI_API_KEY_FILE` names a path, not a key). Secret
    keys are often written `openai-api-key`: hyphens and dots count as underscores.
    """
    if not isinstance(name, str):
        return False
    normalised = name.replace("-", "_").replace(".", "_")
    if normalised.upper() in CLOUD_CREDENTIAL_NAMES:
        return False
    return bool(_AI_CREDENTIAL_NAME.fullmatch(normalised)) or normalised.upper() in EXTRA_AI_CREDENTIAL_NAMES


# CHECKS.md "Template placeholders": ${...}, {{ ... }}, $(...). Plus the filler people
# write instead of a key: <your-key>, sk-..., sk-proj-xxxx, AKIAXXXXXXXX, ****, CHANGEME.
# Each is an opener with its closer somewhere after it. Found with str.find, not a
# regex: `\$\{[^}]*\}` searched over 200k `${` without a `}` restarts at each one
# and reads the rest of the text every time (quadratic: minutes for a 400 KB value).
_TEMPLATE_DELIMITERS = (("${", "}"), ("{{", "}}"), ("$(", ")"))
_ANGLE_PLACEHOLDER = re.compile(r"<[^<>]+>")
_FILLER = re.compile(r"(?:[A-Za-z0-9]{1,8}[-_]){0,3}(?:AKIA|ASIA|AIza|ABSK)?[.…xX*#_\-]+")
# "your_openai_api_key_here", "YOUR-API-KEY", "insert-key-here", "<set-me>"...: instructions, not keys.
_INSTRUCTION_PLACEHOLDER = re.compile(
    r"(?:your|my|insert|put|add|enter|paste|set|replace)[-_ ][\w\- ]*|[\w\- ]*[-_ ](?:here|goes[-_ ]here)",
    re.IGNORECASE,
)
_PLACEHOLDER_WORDS = frozenset({
    "changeme", "change-me", "change_me", "replaceme", "replace-me", "replace_me", "todo", "tbd",
    "placeholder", "dummy", "redacted", "none", "null", "nil", "secret", "password", "token", "key",
    "your-key", "your_key", "your-api-key", "your_api_key",
})


# CHECKS.md "Dummy values": the prefix a real key of that provider starts with says nothing about
# the rest; `hf_REPLACE_WITH_YOUR_TOKEN` is as much an instruction as `REPLACE_WITH_KEY`.
KNOWN_KEY_PREFIXES = ("sk-proj-", "sk-ant-", "sk-", "hf_", "gsk_", "r8_", "xai-", "aiza")  # longest first
_WHOLE_SUBSTITUTION = re.compile(r"\$\{[^{}]*\}|\{\{[^{}]*\}\}|\$\([^()]*\)", re.DOTALL)


def strip_key_prefix(text: str) -> str:
    lowered = text.lower()
    for prefix in KNOWN_KEY_PREFIXES:
        if lowered.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix):]
    return text


def _is_filler(text: str) -> bool:
    return (
        bool(_ANGLE_PLACEHOLDER.fullmatch(text))
        or text.lower() in _PLACEHOLDER_WORDS
        or bool(_FILLER.fullmatch(text))
        or bool(_INSTRUCTION_PLACEHOLDER.fullmatch(text))
    )


def is_dummy_value(text: str) -> bool:
    """An instruction or filler written where a key goes (`REPLACE_WITH_KEY`, `your-key-here`,
    `changeme`, `<token>`, `xxxx`, `TODO`), also after a known key prefix (`hf_REPLACE_ME`)."""
    text = text.strip()
    return _is_filler(text) or _is_filler(strip_key_prefix(text).strip())


def is_substitution_or_empty(value: object) -> bool:
    """Empty, or a whole-value substitution token (`${X}`, `{{ .Values.x }}`, `$(X)`): the only
    literals AIA401/AIA207 accept, since they judge the manifest's shape (CHECKS.md's exception)."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    text = value.strip()
    return not text or bool(_WHOLE_SUBSTITUTION.fullmatch(text))


def is_placeholder(value: object) -> bool:
    """True for values that are not credentials (CHECKS.md "Template placeholders" and "Dummy
    values"): empty, templated, or an instruction or filler. One definition for every check."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    text = value.strip()
    return not text or _has_template_placeholder(text) or is_dummy_value(text)


def _has_template_placeholder(text: str) -> bool:
    for opener, closer in _TEMPLATE_DELIMITERS:
        start = text.find(opener)
        if start >= 0 and text.find(closer, start + len(opener)) >= 0:
            return True
    return False


def decode_base64_text(value: object) -> str | None:
    """A Kubernetes Secret `data` value decoded to text; None if it is not base64 or not UTF-8."""
    if not isinstance(value, str):
        return None
    compact = "".join(value.split())
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def is_base64(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        base64.b64decode("".join(value.split()), validate=True)
        return True
    except (binascii.Error, ValueError):
        return False
