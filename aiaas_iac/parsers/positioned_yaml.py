"""YAML (and JSON) -> plain Python values plus the source span of every mapping entry and list item.

PyYAML's composer (libyaml's `CSafeLoader` when available) builds the node
graph; we walk it ourselves instead of using a constructor so that each value
keeps its position, scalars keep YAML 1.1 meaning (or JSON meaning for JSON
files), and hostile input stays cheap: alias expansion is counted (the
"billion laughs" file composes to a few nodes but expands to billions),
nesting is bounded, and a repeated key keeps its last value.

CloudFormation mode (`cloudformation=True`) reads a template the way
CloudFormation does: short-form intrinsics become their long form (`!Ref X`
-> `{"Ref": "X"}`, `!GetAtt A.B` -> `{"Fn::GetAtt": ["A", "B"]}`, any other
`!Name v` -> `{"Fn::Name": v}`, a scalar argument staying its text), and a
repeated key is an error instead of a silent overwrite.

Paths are tuples of mapping keys (always strings: a key is its source text)
and list indexes. A mapping entry's span runs from its key to the end of its
value; spans end on the last line that holds content (block collections end,
in PyYAML, where the next token starts, often after blank lines and comments).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from aiaas_iac.model import Span
from aiaas_iac.parsers import DEFAULT_MAX_DEPTH
from aiaas_iac.parsers.line_index import LineIndex

# What aliases may add to a file, at most, beyond what is written in it: nodes, and
# characters of text (scalars and keys). Real anchors in manifests and templates share
# a label set, an env list or `<<: *defaults` a few dozen times: hundreds to a few
# thousand nodes. An expansion bomb ("billion laughs") adds billions from a few dozen,
# and a 1 MiB scalar aliased thousands of times is gigabytes for every check that
# reads it. The limits are absolute: one that grew with the file (50 times its nodes)
# let a 1 MiB file take 45 s and 4 GB before it stopped.
ALIAS_EXPANSION_MAX_NODES = 10_000
ALIAS_EXPANSION_MAX_CHARS = 1 << 20

# An integer written with more characters than this stays its text: Python refuses to print
# one of over 4,300 decimal digits (so every message or report naming it would fail; 1,000 hex
# digits make about 1,200), and a long sexagesimal one (`1:2:3:...`) costs quadratic time to
# build. No real setting comes close.
MAX_INT_CHARS = 1_000

_PLAIN = "tag:aiaas-iac,deferred"  # a plain scalar whose type we decide only when its value is built
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_BOOL_VALUES = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
_JSON_LITERALS = {"true": True, "false": False, "null": None}
_IMPLICIT_TAGS = Resolver.yaml_implicit_resolvers
# Short forms whose long form has no `Fn::` prefix.
_UNPREFIXED_INTRINSICS = ("Ref", "Condition")


class YamlError(Exception):
    """The text is not valid YAML/JSON, or is too deep / expands too much. One line, no content."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class DuplicateKeyError(YamlError):
    """A key repeated in one mapping, in CloudFormation mode."""


@dataclass(frozen=True)
class Document:
    value: Any
    spans: dict[tuple, Span]
    span: Span


class _DeferredResolver:
    """Tags every plain scalar `_PLAIN` and leaves typing to `_Builder.scalar`.

    PyYAML's resolver runs a regex per scalar while composing, in Python; most
    scalars are strings whose first character already rules every regex out.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return "tag:yaml.org,2002:seq" if kind is SequenceNode else "tag:yaml.org,2002:map"

    def descend_resolver(self, *_: Any) -> None:
        pass

    def ascend_resolver(self, *_: Any) -> None:
        pass


try:
    from yaml._yaml import CParser

    class _Loader(CParser, _DeferredResolver):
        pass

except ImportError:  # libyaml missing: same results, several times slower
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(Reader, Scanner, Parser, Composer, _DeferredResolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


def _implicit_tag(text: str) -> str:
    """The tag YAML 1.1 gives a plain scalar (the same rules as PyYAML's resolver)."""
    for tag, pattern in _IMPLICIT_TAGS.get(text[:1], ()):
        if pattern.match(text):
            return tag
    return _STR


def _is_block_scalar(node: Any) -> bool:
    return isinstance(node, ScalarNode) and node.style in ("|", ">")


def _is_merge_key(node: Any) -> bool:
    return node.tag == _MERGE or (node.tag == _PLAIN and node.value == "<<")


def _json_int(text: str) -> int | str:
    """A JSON integer; past Python's int/text limit (4,300 digits) the text, as YAML keeps an
    integer it cannot convert (json.loads raised ValueError and stopped the whole scan)."""
    try:
        return int(text)
    except ValueError:
        return text


def _json_scalar(text: str) -> Any:
    if text in _JSON_LITERALS:
        return _JSON_LITERALS[text]
    try:
        return int(text)
    except ValueError:
        if text.lstrip("-").isdigit():
            return text
    try:
        return float(text)
    except ValueError:
        return text


class _Expansion:
    """What aliases have added so far in one file (all its documents)."""

    def __init__(self) -> None:
        self.nodes = 0
        self.chars = 0

    def add(self, node: Any, nodes: int, chars: int) -> None:
        self.nodes += nodes
        self.chars += chars
        if self.nodes > ALIAS_EXPANSION_MAX_NODES or self.chars > ALIAS_EXPANSION_MAX_CHARS:
            raise YamlError("YAML alias expansion too large (an alias bomb?); skipped", node.start_mark.line + 1)


class _Builder:
    """Walks one composed document into plain values, recording spans by path."""

    def __init__(self, lines: LineIndex, max_depth: int, json_mode: bool, expansion: _Expansion | None,
                 cloudformation: bool = False) -> None:
        self.lines = lines
        self.max_depth = max_depth
        self.json_mode = json_mode
        self.cloudformation = cloudformation
        self.spans: dict[tuple, Span] = {}
        self.expansion = expansion
        self.seen: set[int] | None = set() if expansion is not None else None
        self._constructor = yaml.constructor.SafeConstructor()

    def value(self, node: Any, path: tuple, depth: int, expanding: bool = False) -> Any:
        if self.seen is not None:
            if expanding or id(node) in self.seen:
                expanding = True
                self.expansion.add(node, 1, len(node.value) if isinstance(node, ScalarNode) else 0)  # type: ignore[union-attr]
            else:
                self.seen.add(id(node))
        if self.cloudformation and node.tag[:1] == "!" and len(node.tag) > 1:
            return self.intrinsic(node, node.tag[1:], path, depth, expanding)
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        self.check_depth(node, depth)
        if isinstance(node, SequenceNode):
            return self.sequence(node, path, depth, expanding)
        return self.mapping(node, path, depth, expanding)

    def check_depth(self, node: Any, depth: int) -> None:
        if depth >= self.max_depth:
            raise YamlError(f"nesting deeper than {self.max_depth} levels; skipped", node.start_mark.line + 1)

    def intrinsic(self, node: Any, short_name: str, path: tuple, depth: int, expanding: bool) -> dict:
        """`!Name v` -> `{"Fn::Name": v}`; the argument's span is the tagged node's."""
        self.check_depth(node, depth)
        name = short_name if short_name in _UNPREFIXED_INTRINSICS else f"Fn::{short_name}"
        argument_path = path + (name,)
        argument: Any
        if isinstance(node, ScalarNode):
            # CloudFormation reads a scalar argument as text: `!Ref 123` names the logical ID "123".
            argument = node.value.split(".", 1) if name == "Fn::GetAtt" else node.value
        elif isinstance(node, SequenceNode):
            argument = self.sequence(node, argument_path, depth + 1, expanding)
        else:
            argument = self.mapping(node, argument_path, depth + 1, expanding)
        self.spans[argument_path] = self.lines.span(node.start_mark, node.end_mark, _is_block_scalar(node))
        return {name: argument}

    def sequence(self, node: SequenceNode, path: tuple, depth: int, expanding: bool) -> list:
        items = []
        for index, item in enumerate(node.value):
            item_path = path + (index,)
            items.append(self.value(item, item_path, depth + 1, expanding))
            self.spans[item_path] = self.lines.span(item.start_mark, item.end_mark, _is_block_scalar(item))
        return items

    def mapping(self, node: MappingNode, path: tuple, depth: int, expanding: bool) -> dict:
        """A repeated key keeps its last value (CloudFormation: an error at the repetition)."""
        out: dict[str, Any] = {}
        entries = node.value
        merges = [value for key, value in entries if key.value == "<<" and _is_merge_key(key)]
        # With merges, a key both merged in and written is an override, not a repetition.
        written: set[str] | None = set() if merges and self.cloudformation else None
        if merges:
            own = {self.key(key_node) for key_node, _ in entries if not _is_merge_key(key_node)}
            self.merge(out, merges, path, depth, expanding, own)
        for key_node, value_node in entries:
            if merges and _is_merge_key(key_node):
                continue
            key = self.key(key_node)
            if expanding:
                self.expansion.add(key_node, 0, len(key))  # type: ignore[union-attr]
            entry_path = path + (key,)
            if key in out:
                if self.cloudformation and (written is None or key in written):
                    kind = "JSON" if self.json_mode else "YAML"
                    raise DuplicateKeyError(f"invalid {kind}: duplicate key", key_node.start_mark.line + 1)
                self.forget(entry_path, out[key])
            if written is not None:
                written.add(key)
            out[key] = self.value(value_node, entry_path, depth + 1, expanding)
            self.spans[entry_path] = self.lines.span(key_node.start_mark, value_node.end_mark,
                                                     _is_block_scalar(value_node))
        return out

    def forget(self, path: tuple, value: Any) -> None:
        """Drops the spans of a value a repeated key replaces, found from the value's own shape.

        Each value is forgotten at most once, so this stays linear; looking for the paths among
        all spans recorded so far made 100k repetitions in 1,000 mappings take minutes.
        """
        stack = [(path, value)]
        while stack:
            value_path, item = stack.pop()
            self.spans.pop(value_path, None)
            if isinstance(item, dict):
                stack.extend((value_path + (key,), child) for key, child in item.items())
            elif isinstance(item, list):
                stack.extend((value_path + (index,), child) for index, child in enumerate(item))

    def apart(self, build: Any) -> tuple[Any, dict[tuple, Span]]:
        """What `build()` returns, and the spans it records, kept out of the document's spans."""
        saved, self.spans = self.spans, {}
        try:
            return build(), self.spans
        finally:
            self.spans = saved

    def merge(self, out: dict, merges: list, path: tuple, depth: int, expanding: bool, own: set) -> None:
        """Adds merged entries (`<<: *defaults`, `<<: [*a, *b]`) to `out`, earlier mappings winning.

        Spans are kept for the entries that stay: from the mapping that wins each key, and
        not for keys in `own`, which the merging mapping writes itself.
        """
        size = len(path)
        winners: dict[Any, dict[tuple, Span]] = {}
        for merge in reversed(merges):
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for source in reversed(sources):
                merged, spans = self.apart(lambda: self.value(source, path, depth, expanding))
                if isinstance(merged, dict):
                    out.update(merged)
                    by_key: dict[Any, dict[tuple, Span]] = {}
                    for span_path, span in spans.items():
                        by_key.setdefault(span_path[size], {})[span_path] = span
                    winners.update(by_key)
        for key, spans in winners.items():
            if key not in own:
                self.spans.update(spans)

    def key(self, node: Any) -> str:
        if isinstance(node, ScalarNode):
            return node.value
        # A complex key (`? [a, b]`): its source text is the best name it has.
        return self.lines.text[node.start_mark.index:node.end_mark.index][:200]

    def scalar(self, node: ScalarNode) -> Any:
        tag, text = node.tag, node.value
        if tag == _PLAIN:
            if self.json_mode:
                return _json_scalar(text)
            tag = _implicit_tag(text)
        if tag == _STR or node.style:
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return _BOOL_VALUES.get(text.lower(), text)
        try:
            if tag == _INT:
                if len(text) > MAX_INT_CHARS:
                    return text  # see MAX_INT_CHARS
                if text.isdigit() and (text[0] != "0" or text == "0"):
                    return int(text)
                return self._constructor.construct_yaml_int(node)  # -1, 0x1F, 0o17, 012 (octal), 1_000
            if tag == _FLOAT:
                return self._constructor.construct_yaml_float(node)
        except (ValueError, TypeError):  # an explicit `!!int abc`: keep what was written
            return text
        return text  # timestamps, binary and custom tags keep their source text


def _yaml_error(error: yaml.YAMLError, text: str, kind: str) -> YamlError:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None)
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1
        code = error.character if isinstance(error.character, int) else ord(error.character)
        return YamlError(f"invalid {kind}: unacceptable character #x{code:04x}", line)
    line = mark.line + 1 if mark is not None else None
    context = getattr(error, "context", None)
    if problem and context and problem.startswith("but "):  # "expected a single document..., but found another"
        problem = f"{context}, {problem}"
    # The parser's own words: what it quotes is a token or a short name, and anything
    # credential-shaped is redacted where every parse error is (redaction.sanitised_error).
    return YamlError(f"invalid {kind}: {problem or type(error).__name__}", line)


def load_yaml_documents(text: str, max_depth: int = DEFAULT_MAX_DEPTH, *,
                        cloudformation: bool = False) -> list[Document]:
    """Every document of a YAML stream. Raises YamlError for invalid or hostile input.

    With `cloudformation`, the stream must hold at most one document (a template), see the module docstring.
    """
    return _load(text, max_depth, json_mode=False, cloudformation=cloudformation)


def _load(text: str, max_depth: int, json_mode: bool, cloudformation: bool = False) -> list[Document]:
    lines = LineIndex(text)
    # Without an anchor (`&`) in the text there can be no alias: no expansion to count.
    expansion = _Expansion() if "&" in text else None
    documents = []
    kind = "JSON" if json_mode else "YAML"
    try:
        roots = [yaml.compose(text, Loader=_Loader)] if cloudformation else yaml.compose_all(text, Loader=_Loader)
        for root in roots:
            if root is None:  # an empty stream
                continue
            builder = _Builder(lines, max_depth, json_mode, expansion, cloudformation)
            value = builder.value(root, (), 0)
            documents.append(Document(value, builder.spans, lines.span(root.start_mark, root.end_mark)))
    except yaml.YAMLError as error:
        raise _yaml_error(error, text, kind) from None
    except RecursionError:
        raise YamlError(f"{kind} nesting too deep; skipped") from None
    return documents


def _depth_within(value: Any, limit: int) -> bool:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth >= limit:
                return False
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return True


def load_json_document(text: str, max_depth: int = DEFAULT_MAX_DEPTH, *, cloudformation: bool = False) -> Document:
    """One JSON document with spans. JSON's own rules decide validity and scalar meaning.

    With `cloudformation`, a repeated key is an error, as CloudFormation rejects it.
    """
    try:
        checked = json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as error:
        raise YamlError(f"invalid JSON: {error.msg}", error.lineno) from None
    except RecursionError:
        raise YamlError("JSON nesting too deep; skipped") from None
    try:
        documents = _load(text, max_depth, json_mode=True, cloudformation=cloudformation)
    except DuplicateKeyError:
        raise
    except YamlError as error:
        if not error.args[0].startswith("invalid JSON"):
            raise
        documents = []
    if len(documents) == 1:
        return documents[0]
    # Valid JSON that libyaml rejects (a key over 1024 characters): values without spans.
    if not _depth_within(checked, max_depth):
        raise YamlError(f"nesting deeper than {max_depth} levels; skipped")
    return Document(checked, {}, Span(1, text.count("\n") + 1))
