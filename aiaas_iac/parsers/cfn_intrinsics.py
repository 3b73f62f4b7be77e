"""CloudFormation intrinsic functions, resolved where the template makes the value certain.

Certain: `Ref` to a parameter with a `Default` (SSM parameter types excepted:
their default is a parameter *name*), `Fn::Sub`/`Fn::Join`/`Fn::Select`/
`Fn::Split`/`Fn::FindInMap`/`Fn::Base64` over certain values. `Ref` to
`AWS::NoValue` removes the property, as CloudFormation does.

Pseudo parameters are unknown (`!Ref AWS::Region` is an `Unknown`), except
inside `Fn::Sub` and among the parts of an `Fn::Join` (the older way to build
an ARN), where they become the placeholders below so that an ARN keeps its
structure: `arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/*`
resolves to `arn:<partition>:bedrock:<region>::foundation-model/*`, whose
service (`bedrock`) and resource part (`foundation-model/*`) are certain.
The placeholders hold no `:`, `/` or `*`, so they never change an ARN's
fields or look like a wildcard.

Everything else (`Fn::GetAtt`, `Ref` to a resource, `Fn::If`,
`Fn::ImportValue`, ...) is an `Unknown` whose text is the short form
(`!GetAtt AccessKey.SecretAccessKey`) and whose refs are what it names
(`AccessKey.SecretAccessKey`, a logical ID, a parameter without default).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Iterator

from aiaas_iac.model import Unknown, scalar_text
from aiaas_iac.parsers.hcl_expressions import collect_refs

SUB_PLACEHOLDERS = {
    "AWS::Partition": "<partition>",
    "AWS::Region": "<region>",
    "AWS::AccountId": "<account-id>",
    "AWS::URLSuffix": "<url-suffix>",
    "AWS::StackName": "<stack-name>",
}
_SSM_PARAMETER_TYPE = "AWS::SSM::Parameter::"
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_MAX_TEXT = 200
# The work one template's intrinsics may take: values visited, plus characters built / 16
# (joining text costs far less per character than visiting a value in Python). A template
# needs about as much as it has values; a 5 MiB one well under a million. Nested
# `Fn::Base64`, or `Fn::Sub`/`Fn::Join` over `Fn::FindInMap` entries that use each other,
# double their text at every level: 40 levels of a few bytes make a terabyte.
MAX_RESOLVE_WORK = 2_000_000
_CHARACTERS_PER_STEP = 16
_NO_VALUE = object()  # `!Ref AWS::NoValue`: the property is left out


def _is_intrinsic(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (key,) = value
    return key == "Ref" or key.startswith("Fn::")


def short_form(value: Any, limit: int | None = None) -> str:
    """`{"Fn::GetAtt": ["A", "B"]}` -> `!GetAtt A.B`; nested values rendered compactly.

    With `limit`, rendering may stop once the text is longer than `limit`: the result is
    then a prefix of the whole. Messages keep 200 characters, and an opaque intrinsic
    nested 200 deep around a 1 MiB value rendered all of it at every level."""
    if limit is None:
        return "".join(_short_form_pieces(value, None))
    pieces, size = [], 0
    for piece in _short_form_pieces(value, limit):
        pieces.append(piece)
        size += len(piece)
        if size > limit:
            break
    return "".join(pieces)


def _short_form_pieces(value: Any, limit: int | None) -> Iterator[str]:
    if _is_intrinsic(value):
        ((key, arg),) = value.items()
        name = "Ref" if key == "Ref" else key[4:]
        if name == "GetAtt" and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
            yield f"!GetAtt {'.'.join(arg)}"
            return
        yield f"!{name} "
        if isinstance(arg, str):
            yield arg
        else:
            yield from _short_form_pieces(arg, limit)
    elif isinstance(value, (list, dict)):
        is_list = isinstance(value, list)
        yield "[" if is_list else "{"
        for index, (key, item) in enumerate(enumerate(value) if is_list else value.items()):
            if index:
                yield ", "
            if not is_list:
                yield f"{key}: "
            yield from _short_form_pieces(item, limit)
        yield "]" if is_list else "}"
    elif isinstance(value, Unknown):
        yield value.text
    elif isinstance(value, str) and limit is not None and len(value) > limit:
        yield json.dumps(value[:limit + 1])[:-1]  # the start of the quoted text, without its end
    else:
        yield json.dumps(value)


def _unknown(source: Any, refs: Any = ()) -> Unknown:
    text = short_form(source, _MAX_TEXT)
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT] + "…"
    return Unknown(text, tuple(dict.fromkeys(refs)))


def _parameter_value(body: Any) -> Any:
    """What `Ref` to a parameter gives when the stack is created with its default, or a miss."""
    if not isinstance(body, dict) or body.get("Default") is None:
        return _NO_VALUE
    kind = str(body.get("Type", "String"))
    if kind.startswith(_SSM_PARAMETER_TYPE):
        return _NO_VALUE
    default = body["Default"]
    if (kind == "CommaDelimitedList" or kind.startswith("List<")) and isinstance(default, str):
        return [item.strip() for item in default.split(",")]
    return default


def _pseudo_parameter_placeholder(value: Any) -> Any:
    """`!Ref AWS::Region` -> `<region>`; anything else unchanged."""
    if isinstance(value, dict) and len(value) == 1 and value.get("Ref") in SUB_PLACEHOLDERS:
        return SUB_PLACEHOLDERS[value["Ref"]]
    return value


class ExpansionTooLarge(Exception):
    """The template's intrinsic functions expand beyond MAX_RESOLVE_WORK (an expansion bomb)."""


class IntrinsicResolver:
    """Resolves the intrinsics of one template, given its Parameters and Mappings.

    Raises ExpansionTooLarge once the template has cost MAX_RESOLVE_WORK."""

    def __init__(self, parameters: dict[str, Any], mappings: dict[str, Any]) -> None:
        self.parameters = set(parameters)
        self.defaults = {name: value for name, body in parameters.items()
                         if (value := _parameter_value(body)) is not _NO_VALUE}
        self.mappings = mappings
        self.work = 0
        self._entries_in_use: set[tuple] = set()  # Fn::FindInMap entries being resolved: a cycle stays unknown

    def _built(self, size: int) -> None:
        self.work += size // _CHARACTERS_PER_STEP
        if self.work > MAX_RESOLVE_WORK:
            raise ExpansionTooLarge("intrinsic functions expand too much (an expansion bomb?); skipped")

    def resolve_mapping(self, mapping: dict) -> dict:
        resolved = self.resolve(mapping)
        return resolved if isinstance(resolved, dict) else {}

    def resolve(self, value: Any) -> Any:
        self.work += 1
        if self.work > MAX_RESOLVE_WORK:
            self._built(0)
        if isinstance(value, dict):
            if _is_intrinsic(value):
                ((key, arg),) = value.items()
                handler = _HANDLERS.get(key)
                if handler is not None:
                    return handler(self, arg, value)
                return self.opaque(value, arg)
            out = {}
            for key, item in value.items():
                resolved = self.resolve(item)
                if resolved is not _NO_VALUE:
                    out[key] = resolved
            return out
        if isinstance(value, list):
            return [r for r in (self.resolve(v) for v in value) if r is not _NO_VALUE]
        return value

    def opaque(self, source: dict, arg: Any) -> Unknown:
        return _unknown(source, collect_refs(self.resolve(arg)))

    def ref(self, arg: Any, source: dict) -> Any:
        if not isinstance(arg, str):
            return self.opaque(source, arg)
        if arg in self.defaults:
            default = self.defaults[arg]
            if isinstance(default, list):
                self._built(len(default) * _CHARACTERS_PER_STEP)
                return list(default)
            return default
        if arg == "AWS::NoValue":
            return _NO_VALUE
        if arg.startswith("AWS::"):
            return _unknown(source)
        return _unknown(source, (arg,))

    def get_att(self, arg: Any, source: dict) -> Unknown:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg):
            return _unknown(source, (f"{arg[0]}.{arg[1]}",))
        if isinstance(arg, list) and arg and isinstance(arg[0], str):
            return _unknown(source, (arg[0],))
        return self.opaque(source, arg)

    def sub(self, arg: Any, source: dict) -> Any:
        variables: dict = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            arg, variables = arg[0], {k: self.resolve(v) for k, v in arg[1].items()}
        if not isinstance(arg, str):
            return self.opaque(source, [arg, variables])
        refs: list[str] = []
        unresolved = False

        def substitute(match: re.Match) -> str:
            nonlocal unresolved
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"  # `${!Literal}` is the text `${Literal}`
            name = name.strip()
            value = variables[name] if name in variables else self.defaults.get(name, _NO_VALUE)
            text = scalar_text(value) if value is not _NO_VALUE else SUB_PLACEHOLDERS.get(name)
            if text is not None:
                return text
            unresolved = True
            if isinstance(value, Unknown):
                refs.extend(value.refs)
            elif not name.startswith("AWS::"):
                refs.append(name)  # a logical ID, `Logical.Attribute` or a parameter without default
            return match.group(0)

        # Only the text up to the last `}` can hold a variable. Searching past it, every `${`
        # would read to the end of the text for a `}` that is not there: quadratic, minutes
        # for a `!Sub` of 200k `${`.
        end = arg.rfind("}") + 1
        result = _SUB_VARIABLE.sub(substitute, arg[:end]) + arg[end:]
        self._built(len(result))
        return _unknown(source, refs) if unresolved else result

    def join(self, arg: Any, source: dict) -> Any:
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            arg = [arg[0], [_pseudo_parameter_placeholder(item) for item in arg[1]]]
        resolved = self.resolve(arg)
        if isinstance(resolved, list) and len(resolved) == 2 and isinstance(resolved[0], str) \
                and isinstance(resolved[1], list):
            texts = [scalar_text(item) for item in resolved[1]]
            if all(text is not None for text in texts):
                joined = resolved[0].join(texts)  # type: ignore[arg-type]
                self._built(len(joined))
                return joined
        return _unknown(source, collect_refs(resolved))

    def select(self, arg: Any, source: dict) -> Any:
        resolved = self.resolve(arg)
        if isinstance(resolved, list) and len(resolved) == 2 and isinstance(resolved[1], list):
            try:
                index = int(resolved[0])
            except (TypeError, ValueError):
                index = -1
            if 0 <= index < len(resolved[1]) and not isinstance(resolved[0], bool):
                return resolved[1][index]
        return _unknown(source, collect_refs(resolved))

    def split(self, arg: Any, source: dict) -> Any:
        resolved = self.resolve(arg)
        if isinstance(resolved, list) and len(resolved) == 2 and all(isinstance(r, str) for r in resolved) \
                and resolved[0]:
            parts = resolved[1].split(resolved[0])
            self._built(len(parts) * _CHARACTERS_PER_STEP)
            return parts
        return _unknown(source, collect_refs(resolved))

    def find_in_map(self, arg: Any, source: dict) -> Any:
        resolved = self.resolve(arg)
        if isinstance(resolved, list) and len(resolved) == 3 and all(isinstance(r, str) for r in resolved):
            found: Any = self.mappings
            for key in resolved:
                found = found.get(key) if isinstance(found, dict) else None
            entry = tuple(resolved)
            if found is not None and entry not in self._entries_in_use:
                self._entries_in_use.add(entry)
                try:
                    return self.resolve(found)
                finally:
                    self._entries_in_use.discard(entry)
        return _unknown(source, collect_refs(resolved))

    def base64(self, arg: Any, source: dict) -> Any:
        resolved = self.resolve(arg)
        if isinstance(resolved, str):
            self._built(len(resolved) * 4 // 3)
            return base64.b64encode(resolved.encode("utf-8")).decode("ascii")
        return _unknown(source, collect_refs(resolved))


_HANDLERS = {
    "Ref": IntrinsicResolver.ref,
    "Fn::GetAtt": IntrinsicResolver.get_att,
    "Fn::Sub": IntrinsicResolver.sub,
    "Fn::Join": IntrinsicResolver.join,
    "Fn::Select": IntrinsicResolver.select,
    "Fn::Split": IntrinsicResolver.split,
    "Fn::FindInMap": IntrinsicResolver.find_in_map,
    "Fn::Base64": IntrinsicResolver.base64,
}
