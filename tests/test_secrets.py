"""Credential formats, AI credential names, placeholders and redaction (aiaas_iac.secrets).

Keys are generated here from each provider's documented shape, never pasted: no
realistic secret is committed in this repository.
"""

import base64
import random
import string

import pytest

from aiaas_iac.secrets import (
    decode_base64_text, find_credential, find_credentials, is_ai_credential_name, is_placeholder, redact,
)

ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "_-"
BASE32 = string.ascii_uppercase + "234567"


def random_text(length: int, alphabet: str = ALNUM, seed: int = 7) -> str:
    rng = random.Random(f"{seed}-{length}-{alphabet}")
    return "".join(rng.choice(alphabet) for _ in range(length))


def bedrock_api_key(seed: int = 1) -> str:
    plain = f"BedrockAPIKey-{random_text(4, seed=seed)}-at-123456789012:{random_text(44, seed=seed)}"
    return "ABSK" + base64.b64encode(plain.encode()).decode()


FAKE_KEYS = {
    "an OpenAI API key": "sk-" + random_text(48),
    "an OpenAI project key": "sk-proj-" + random_text(156, URLSAFE),
    "an OpenAI service account key": "sk-svcacct-" + random_text(156, URLSAFE),
    "an OpenAI admin key": "sk-admin-" + random_text(120, URLSAFE),
    "an Anthropic API key": "sk-ant-api03-" + random_text(93, URLSAFE) + "AA",
    "a Google API key": "AIza" + random_text(35, URLSAFE),
    "a Hugging Face token": "hf_" + random_text(34, string.ascii_letters),
    "a Groq API key": "gsk_" + random_text(52),
    "a Replicate API token": "r8_" + random_text(37),
    "an xAI API key": "xai-" + random_text(80),
    "a Bedrock API key": bedrock_api_key(),
    "an AWS access key ID": "AKIA" + random_text(16, BASE32),
    "an AWS temporary access key ID": "ASIA" + random_text(16, BASE32),
}


@pytest.mark.parametrize("description", sorted(FAKE_KEYS))
def test_each_documented_format_is_recognised(description):
    found = find_credential(FAKE_KEYS[description])
    assert found is not None and found.format.description == description
    assert found.token == FAKE_KEYS[description]


def test_key_inside_a_script_is_found_with_its_offset():
    key = FAKE_KEYS["an OpenAI API key"]
    script = f"#!/bin/bash\nexport OPENAI_API_KEY={key}\npython run.py\n"
    found = find_credential(script)
    assert found.token == key and script[found.start:].startswith(key)


def test_every_key_in_a_value_is_found_in_order():
    text = f"{FAKE_KEYS['a Groq API key']} then {FAKE_KEYS['an AWS access key ID']}"
    assert [c.format.description for c in find_credentials(text)] == ["a Groq API key", "an AWS access key ID"]


@pytest.mark.parametrize("text", [
    "sk-learn",
    "scikit-learn==1.5.1 sk-learn-extras",
    "sk-...",
    "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "sk-proj-" + "x" * 60,
    "sk-proj-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP",
    "AKIAIOSFODNN7EXAMPLE",  # AWS's documented example key
    "AKIAXXXXXXXXXXXXXXXX",
    "arn:aws:iam::123456789012:user/bedrock-ci",
    "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
    "${var.openai_api_key}",
    "{{ .Values.openai.apiKey }}",
    "$(OPENAI_API_KEY)",
    "<your OpenAI key>",
])
def test_lookalikes_and_placeholders_are_not_credentials(text):
    assert find_credential(text) is None


def test_key_glued_into_a_longer_token_is_not_a_key():
    assert find_credential("x" + FAKE_KEYS["an OpenAI API key"] + "abc") is None
    assert find_credential("MYAKIA" + random_text(16, BASE32)) is None


def test_wrong_length_is_not_a_key():
    assert find_credential("AIza" + random_text(30, URLSAFE)) is None
    assert find_credential("gsk_" + random_text(40)) is None


def test_redact_shows_four_characters_and_the_length():
    key = FAKE_KEYS["an OpenAI API key"]
    assert redact(key) == f"{key[:4]}… (51 chars)"
    assert find_credential(key).describe() == f"an OpenAI API key {key[:4]}… (51 chars)"


@pytest.mark.parametrize("name", [
    "OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "ANTHROPIC_API_KEY", "HF_TOKEN", "HUGGINGFACEHUB_API_TOKEN",
    "GEMINI_API_KEY", "PINECONE_API_KEY", "LANGSMITH_API_KEY", "openai_api_key", "openai-api-key",
    "AWS_BEARER_TOKEN_BEDROCK",
])
def test_ai_credential_names(name):
    assert is_ai_credential_name(name)


@pytest.mark.parametrize("name", ["OPENAI_BASE_URL", "OPENAI_API_KEY_FILE", "OPENAI_MODEL", "AWS_REGION", "DATABASE_PASSWORD",
                                  # CHECKS.md "Cloud credential names": not AI credential names
                                  "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN",
                                  "aws-secret-access-key", "AZURE_CLIENT_SECRET", "GOOGLE_APPLICATION_CREDENTIALS"])
def test_names_that_are_not_ai_credentials(name):
    assert not is_ai_credential_name(name)


@pytest.mark.parametrize("value", ["", "   ", None, "${OPENAI_KEY}", "{{ .Values.key }}", "$(KEY)", "sk-...",
                                   "sk-xxxx", "<your-key>", "changeme", "REPLACE_ME", "****"])
def test_placeholders(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["q8Jd-2mLs-Pq0w-Zr4t", "prod-key-2024-rotated", "hunter2-prod",
                                   "s3cr3t-value-1234", "gsk_live_token_value"])
def test_real_looking_values_are_not_placeholders(value):
    assert not is_placeholder(value)


def test_base64_secret_data_decodes_to_text_or_none():
    assert decode_base64_text(base64.b64encode(b"hello").decode()) == "hello"
    assert decode_base64_text("not base64!") is None
    assert decode_base64_text(base64.b64encode(b"\xff\xfe\x00").decode()) is None


@pytest.mark.parametrize("value", ["your_openai_api_key_here", "YOUR_OPENAI_API_KEY", "your-openai-api-key",
                                   "insert-key-here", "paste your key here", "api_key_goes_here"])
def test_instructions_in_place_of_a_key_are_placeholders(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["hf_REPLACE_WITH_YOUR_TOKEN", "REPLACE_WITH_KEY", "sk-proj-your-key-here",
                                   "sk-ant-xxxxxxxx", "gsk_changeme", "r8_TODO", "xai-<token>", "AIzaREPLACE_ME",
                                   "sk-<your key>", "hf_xxxxxxxxxxxx"])
def test_dummy_values_after_a_known_key_prefix_are_placeholders(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["hf_q8Jd2mLsPq0wZr4tYb", "sk-live-9f8e7d6c", "prj-live-2c81f0d9b6e44a7e"])
def test_a_key_prefix_does_not_make_a_real_looking_value_a_placeholder(value):
    assert not is_placeholder(value)


def test_aia401_exemption_is_only_empty_or_a_whole_substitution():
    from aiaas_iac.secrets import is_substitution_or_empty
    for value in ["", "  ", None, "${OPENAI_KEY}", "{{ .Values.openai.key }}", "$(OPENAI_KEY)"]:
        assert is_substitution_or_empty(value)
    for value in ["replace-me-before-deploying", "changeme", "Bearer ${TOKEN}", "<token>", "sk-xxxx"]:
        assert not is_substitution_or_empty(value)


def test_hostile_placeholder_inputs_stay_fast():
    # (The template-placeholder search's own bounds are tested with the regex-performance work.)
    import time
    from aiaas_iac.secrets import is_dummy_value, is_substitution_or_empty
    started = time.perf_counter()
    for value in ["hf_" + "a-" * 20_000, "sk-" + "your_" * 10_000, "sk-proj-" + "x" * 50_000]:
        is_dummy_value(value)
    for value in ["{{" * 20_000, "${" * 20_000, "$(" * 20_000, "${" + "a" * 50_000]:
        is_substitution_or_empty(value)
    assert time.perf_counter() - started < 2
