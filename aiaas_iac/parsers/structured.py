"""YAML/JSON files: decoded once, then what they are is decided from the decoded value.

Most YAML and JSON in a repository is none of our formats (CI config, compose
files, package.json...): such files are left alone silently, even when they
are broken. A file is:

- a Terraform plan (or state shown as JSON): a JSON object with
  `format_version` and `planned_values.root_module` (`values.root_module`);
- a CloudFormation template: one document with `AWSTemplateFormatVersion`, or
  `Resources` typed `AWS::...` / `Custom::...`;
- Kubernetes manifests: documents with string `apiVersion` and `kind`;
- an ARM deployment template or parameter file: a `$schema` naming
  `deploymentTemplate.json` (or `deploymentParameters.json`).

The text is looked at only to skip decoding files that cannot be any of them
(none of the key names occurs anywhere in the text, and no escape sequence
could spell one), and to decide whether a file that does not decode at all was
meant to be one (then its syntax error is reported). Both looks cover the whole
text in linear time: a template after 200 KB of comments is still a template.

How a file is decoded: JSON first for a `.json` name or text starting with `{`
(JSON's own rules; a text that looks like an ARM template or parameter file is
read again with its `//` and `/* */` comments blanked, which Azure accepts),
YAML otherwise or when JSON rejects it (hand-edited JSON
templates with a trailing comma are accepted, as CloudFormation's YAML-first
decoder does). A file that may be a template is decoded in CloudFormation mode
(short-form intrinsics, a repeated key is an error), which reads one document;
it is decoded again in plain mode only when that mode's rules fail and the
file turns out to be no template (a multi-document manifest, a repeated key in
a manifest).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiaas_iac.discover import SourceFile
from aiaas_iac.model import ParseError
from aiaas_iac.parsers import ParsedFile, ParseLimits
from aiaas_iac.parsers.positioned_yaml import (Document, DuplicateKeyError, YamlError, load_json_document,
                                               load_yaml_documents)

# Key names each format needs. A decoded key can hold a name the text does not spell out only
# through an escape: JSON `\u0052esources`, YAML `"\x52esources"`, or a YAML escaped line break
# inside an explicit (`?`) key (`? "Resou\<newline>  rces"`; an implicit key is one line).
_SPELLING_ESCAPE = re.compile(r"\\[uUx]")
_NEEDS = {
    "tfplan": (all, ("format_version",)),
    "cloudformation": (any, ("Resources", "AWSTemplateFormatVersion")),
    "kubernetes": (all, ("apiVersion", "kind")),
    "arm": (any, ("deploymentTemplate.json", "deploymentParameters.json")),
}
# Whether a file that does not decode was meant to be one of the formats (then its error is
# worth reporting). Each pattern is linear: no quantifier can run across a line more than once.
_LOOKS_CFN = re.compile(r"AWSTemplateFormatVersion|[\"']?Type[\"']?[ \t]*+:[ \t]*+[\"']?AWS::")
_LOOKS_CFN_RESOURCES = re.compile(r"^[ \t]*+Resources[ \t]*+:|[\"']Resources[\"'][ \t]*+:", re.MULTILINE)
_LOOKS_K8S_API_VERSION = re.compile(r"^[ \t-]*+apiVersion[ \t]*+:|[\"']apiVersion[\"'][ \t]*+:", re.MULTILINE)
_LOOKS_K8S_KIND = re.compile(r"^[ \t-]*+kind[ \t]*+:|[\"']kind[\"'][ \t]*+:", re.MULTILINE)
_LOOKS_ARM = re.compile(r"[\"']\$schema[\"'][ \t]*+:[ \t]*+[\"'][^\"'\n]*deployment(Template|Parameters)\.json", re.IGNORECASE)
_LOOKS_PLAN_SECTIONS = ("planned_values", "resource_changes", "root_module")
_SINGLE_DOCUMENT = "expected a single document"
_LOADER_PREFIX = re.compile(r"^invalid (YAML|JSON): ")
_FIRST_CHARACTER = re.compile(r"\S")


def possible_formats(text: str) -> set[str]:
    """The formats the text may decode to: every one whose key names all occur in it."""
    if "\\" in text and (_SPELLING_ESCAPE.search(text) or ("\\\n" in text and "?" in text)):
        return set(_NEEDS)
    return {kind for kind, (combine, names) in _NEEDS.items() if combine(name in text for name in names)}


def intended_format(text: str) -> str | None:
    """For a file that does not decode: the format it looks written in, most specific first."""
    if '"format_version"' in text and any(section in text for section in _LOOKS_PLAN_SECTIONS):
        return "tfplan"
    if _LOOKS_CFN.search(text) and _LOOKS_CFN_RESOURCES.search(text):
        return "cloudformation"
    if _LOOKS_K8S_API_VERSION.search(text) and _LOOKS_K8S_KIND.search(text):
        return "kubernetes"
    if _LOOKS_ARM.search(text):
        return "arm"
    return None


@dataclass(frozen=True)
class Decoded:
    documents: list[Document]
    json: bool  # read by JSON's rules (a plan must be)
    cloudformation_mode: bool
    json_error: YamlError | None = None  # JSON rejected the text that YAML then read


class _NotDecoded(Exception):
    def __init__(self, error: YamlError) -> None:
        super().__init__(str(error))
        self.error = error


def without_json_comments(text: str) -> str:
    """An ARM template's text with its comments blanked (lines and columns kept); a `/*` that
    never closes is a YamlError at its line."""
    from aiaas_iac.parsers.comments import UnterminatedComment, blank_json_comments

    try:
        return blank_json_comments(text)
    except UnterminatedComment as error:
        raise YamlError(f"invalid JSON: {error}", error.line) from None


def _decode(source: SourceFile, text: str, limits: ParseLimits, cloudformation: bool) -> Decoded:
    named_json = source.rel.lower().endswith(".json")
    first = _FIRST_CHARACTER.search(text)
    json_error = None
    if named_json or (first is not None and first.group() == "{"):
        for attempt in range(2):
            try:
                return Decoded([load_json_document(text, limits.max_depth, cloudformation=cloudformation)],
                               True, cloudformation)
            except DuplicateKeyError:
                raise
            except YamlError as error:
                if not str(error).startswith("invalid JSON"):
                    raise
                json_error = error
            if attempt or "/" not in text or not _LOOKS_ARM.search(text):
                break
            # Azure accepts `//` and `/* */` comments in templates and parameter files.
            text = without_json_comments(text)
    try:
        documents = load_yaml_documents(text, limits.max_depth, cloudformation=cloudformation)
    except YamlError as error:
        if named_json and json_error is not None and not isinstance(error, DuplicateKeyError):
            raise _NotDecoded(json_error) from None
        raise
    return Decoded(documents, False, cloudformation, json_error)


def decode(source: SourceFile, text: str, limits: ParseLimits, formats: set[str]) -> Decoded:
    """The file's documents; raises _NotDecoded when it is not valid YAML/JSON (or too hostile)."""
    if "cloudformation" not in formats:
        try:
            return _decode(source, text, limits, cloudformation=False)
        except YamlError as error:
            raise _NotDecoded(error) from None
    try:
        return _decode(source, text, limits, cloudformation=True)
    except YamlError as error:
        # CloudFormation's rules (one document, no repeated key) may not be this file's:
        # read it plainly, and keep the error only if it is a template after all.
        if not (isinstance(error, DuplicateKeyError) or _SINGLE_DOCUMENT in str(error)):
            raise _NotDecoded(error) from None
        try:
            plain = _decode(source, text, limits, cloudformation=False)
        except YamlError:
            raise _NotDecoded(error) from None
        if not _manifests(plain) and any(_is_template(d.value) for d in plain.documents):
            raise _NotDecoded(error) from None
        return plain


def _is_template(value: object) -> bool:
    from aiaas_iac.parsers.cloudformation import is_template

    return is_template(value)


def _manifests(decoded: Decoded) -> list:
    from aiaas_iac.parsers.kubernetes import is_object

    return [d for d in decoded.documents if is_object(d.value)]


def classify(decoded: Decoded, named_json: bool) -> str | None:
    """The format of a decoded file, or None when it is none of ours."""
    from aiaas_iac.parsers.tfplan import is_plan

    documents = decoded.documents
    single = documents[0].value if len(documents) == 1 else None
    if decoded.json and is_plan(single):
        return "tfplan"
    if decoded.cloudformation_mode and _is_template(single):
        return "cloudformation"
    from aiaas_iac.parsers.arm import schema_kind

    arm = schema_kind(single)
    if arm is not None:
        return "arm" if arm == "template" else "armparameters"
    # Only a template may be JSON that JSON rejects: a `.json` manifest must be JSON.
    if _manifests(decoded) and not (decoded.json_error is not None and named_json):
        return "kubernetes"
    return None


def _error(source: SourceFile, error: YamlError, intended: str) -> ParsedFile:
    message = str(error)
    if intended == "cloudformation":
        message = _LOADER_PREFIX.sub("invalid template: ", message)
    return ParsedFile(errors=(ParseError(source.rel, message, error.line),))


def parse(source: SourceFile, text: str, limits: ParseLimits) -> ParsedFile:
    from aiaas_iac.parsers import kubernetes

    formats = possible_formats(text)
    if not formats:
        return ParsedFile()
    # A chart's templates are Go templates, not manifests, whether or not they happen to decode.
    if "kubernetes" in formats and kubernetes.in_helm_chart_templates(source.path):
        return ParsedFile(notes=(kubernetes.helm_note(source.rel),))
    try:
        decoded = decode(source, text, limits, formats)
    except _NotDecoded as failure:
        intended = intended_format(text)
        if intended is None:
            return ParsedFile()
        # Go template syntax makes a chart's file invalid YAML; a file that is valid YAML but too deep
        # or an alias bomb is not excused by a `{{` somewhere in it.
        if intended == "kubernetes" and "{{" in text and str(failure.error).startswith("invalid "):
            return ParsedFile(notes=(kubernetes.helm_note(source.rel),))
        return _error(source, failure.error, intended)
    named_json = source.rel.lower().endswith(".json")
    kind = classify(decoded, named_json)
    if kind == "tfplan":
        from aiaas_iac.parsers import tfplan

        return tfplan.from_document(decoded.documents[0], source.rel)
    if kind == "cloudformation":
        from aiaas_iac.parsers import cloudformation

        return cloudformation.from_document(decoded.documents[0], source.rel)
    if kind in ("arm", "armparameters"):
        from aiaas_iac.parsers import arm

        if kind == "arm":
            return arm.from_template(decoded.documents[0], source.rel, limits.max_depth)
        return arm.from_parameters(decoded.documents[0], source.rel)
    if kind == "kubernetes":
        if decoded.cloudformation_mode and "!" in text:
            # Read as a template in case it was one; a manifest's own tags keep their plain meaning.
            try:
                decoded = decode(source, text, limits, formats - {"cloudformation"})
            except _NotDecoded:
                pass  # cannot happen (plain rules are the laxer ones); the first reading stands

        return kubernetes.from_documents(_manifests(decoded), source.rel)
    if decoded.json_error is not None and intended_format(text) is not None:
        # JSON that only YAML accepts, and not as a template: the JSON error is the one to fix.
        return _error(source, decoded.json_error, "json")
    return ParsedFile()
