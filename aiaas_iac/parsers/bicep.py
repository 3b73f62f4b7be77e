"""Bicep (`.bicep`) and Bicep parameter (`.bicepparam`) files -> Resources.

tree-sitter-bicep gives a concrete syntax tree with positions (a C parser, a
wheel with no dependencies); `bicep_expressions` evaluates its expressions with
the function library the ARM JSON evaluator shares (`arm_functions`). A file
whose tree holds an ERROR or MISSING node is one error at that line.

Each declaration becomes a Resource of format `bicep`:

- `resource` (kind `resource`, or `existing`): `type` is the ARM type without
  its API version (`Microsoft.CognitiveServices/accounts`; a nested child's type
  is its parent's plus its own), the attributes are the resource body as ARM
  receives it (`name`, `kind`, `properties`, `scope`, ...; a nested child gets
  `parent`), the address is the symbolic name (`openai`, `openai::gpt`,
  and `name` `accounts[0]` per loop item);
- `param` (attributes `value`, `default`, `secure`), `var` (`value`), `output`
  (`value`, `secure`), `module` (`source`, `params`, `name`, `scope`).

A resource or module behind `if (false)` is not declared; a loop over a known
collection declares one per item (at most MAX_LOOP), over an unknown one a
single declaration whose loop variables are unknown. `evaluate` takes the
parameter values a module call or a parameter file supplies (`bicep_tree`).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from aiaas_iac.model import Resource, Span, Unknown
from aiaas_iac.parsers import DEFAULT_MAX_DEPTH, ParsedFile, ParseLimits, SourceError
from aiaas_iac.parsers.bicep_expressions import (MAX_LOOP, NOT_A_RESOURCE, SKIPPED, BicepEvaluator, TooDeep,
                                                 line_of, named, span_of, text_of)

FORMAT = "bicep"
_DECLARATIONS = {
    "parameter_declaration": "param", "variable_declaration": "var", "resource_declaration": "resource",
    "module_declaration": "module", "output_declaration": "output",
}
_PARSER: Any = None
# (module symbol, its source, the call's evaluated body) -> the instance's outputs by name (values
# known or unknown), or None when that instance cannot be evaluated; supplied by `bicep_tree`.
ModuleOutputs = Callable[[str, str, dict], "dict | None"]


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        import tree_sitter_bicep
        from tree_sitter import Language, Parser

        _PARSER = Parser(Language(tree_sitter_bicep.language()))
    return _PARSER


def _first_error(root: Any, parameters_file: bool) -> Any:
    """The first ERROR/MISSING node (depth-first, iterative), or None. A `.bicepparam` file's
    `param x = ...` has no type, which the grammar reports as a missing one."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            parent = node.parent
            if not (parameters_file and node.is_missing and parent is not None and parent.type == "type"):
                return node
        if node.has_error:
            stack.extend(reversed(node.children))
    return None


def syntax_tree(text: str, parameters_file: bool = False) -> Any:
    """The root node; a SourceError naming the line of the first syntax error."""
    root = _parser().parse(text.encode("utf-8", "surrogateescape")).root_node
    bad = _first_error(root, parameters_file) if root.has_error else None
    if bad is None:
        return root
    # Syntax newer than the grammar (typed variables, resourceInput<> types, `x!`...): read the
    # text with it rewritten in place; still broken, the first error left is the one reported.
    from aiaas_iac.parsers.bicep_compat import compatible

    rewritten = compatible(text)
    if rewritten != text:
        retry = _parser().parse(rewritten.encode("utf-8", "surrogateescape")).root_node
        bad = _first_error(retry, parameters_file) if retry.has_error else None
        if bad is None:
            return retry
    what = f"missing {bad.type}" if bad.is_missing else "unexpected input"
    raise SourceError(f"invalid Bicep: {what}", line_of(bad))


_span = span_of


@dataclass
class _Declaration:
    keyword: str
    name: str
    node: Any
    decorators: list[str] = field(default_factory=list)


def _declarations(root: Any) -> tuple[list[_Declaration], str]:
    found: list[_Declaration] = []
    pending: list[str] = []
    target_scope = "resourceGroup"
    for child in root.children:
        if child.type == "decorators":
            pending = [text_of(d) for d in named(child)]
            continue
        keyword = _DECLARATIONS.get(child.type)
        if keyword is not None:
            ident = next((c for c in child.children if c.type == "identifier"), None)
            if ident is not None:
                found.append(_Declaration(keyword, text_of(ident), child, pending))
        elif child.type == "target_scope_assignment":
            value = next((c for c in named(child) if c.type == "string"), None)
            if value is not None:
                target_scope = text_of(value).strip("'")
        pending = []
    return found, target_scope


def _is_secure(declaration: _Declaration) -> bool:
    return any("secure(" in d.replace(" ", "") for d in declaration.decorators)


def _value_node(node: Any) -> Any:
    """The node after `=` in a declaration."""
    seen_equals = False
    for child in node.children:
        if seen_equals and child.is_named:
            return child
        seen_equals |= child.type == "="
    return None


def _type_string(node: Any) -> str | None:
    found = next((c for c in node.children if c.type == "string"), None)
    return text_of(found)[1:-1] if found is not None else None


class _File:
    """One evaluation of one Bicep file."""

    def __init__(self, root: Any, rel: str, module: str, inputs: dict | None, prefix: str, max_depth: int,
                 outputs_of: ModuleOutputs | None = None) -> None:
        self.rel, self.module, self.inputs, self.prefix = rel, module, inputs, prefix
        self.outputs_of = outputs_of
        self.declarations, self.target_scope = _declarations(root)
        # Outputs have a namespace of their own: `param name string` and `output name string = ...`.
        self.symbols = {d.name: d for d in self.declarations if d.keyword != "output"}
        # Nested child resources by their own name (usable inside their parent) -> (address, node).
        self.nested: dict[str, tuple[str, Any]] = {}
        for declaration in self.declarations:
            if declaration.keyword == "resource":
                self._collect_nested(declaration.node, declaration.name, 0)
        self.values: dict[str, Any] = {}
        self.names: dict[str, Any] = {}
        self.evaluating: set[str] = set()
        self.evaluator = BicepEvaluator(self.lookup, max_depth, resource_name=self.resource_name)
        self.resources: list[Resource] = []
        self.notes: list[str] = []

    def _collect_nested(self, node: Any, address: str, depth: int) -> None:
        body = _value_node(node)
        if body is None or depth > 8:
            return
        for child in self._children(body):
            ident = next((c for c in child.children if c.type == "identifier"), None)
            if ident is not None:
                child_address = f"{address}::{text_of(ident)}"
                self.nested.setdefault(text_of(ident), (child_address, child))
                self._collect_nested(child, child_address, depth + 1)

    # --- symbols -----------------------------------------------------------------------------

    def lookup(self, name: str) -> Any:
        declaration = self.symbols.get(name)
        if declaration is None:
            if name in self.nested:
                return Unknown(name, (self.nested[name][0],))
            return Unknown(name)
        if declaration.keyword == "resource" or (declaration.keyword == "module" and self.outputs_of is None):
            return Unknown(name, (name,))
        if name in self.values:
            return self.values[name]
        if name in self.evaluating:
            return Unknown(name)
        self.evaluating.add(name)
        try:
            self.values[name] = value = self._symbol_value(declaration)
        finally:
            self.evaluating.discard(name)
        return value

    def _symbol_value(self, declaration: _Declaration) -> Any:
        if declaration.keyword == "module":
            return self._module_value(declaration)
        if declaration.keyword == "param" and self.inputs is not None and declaration.name in self.inputs:
            return self.inputs[declaration.name]
        node = _value_node(declaration.node)
        if node is None:
            return Unknown(declaration.name)
        return self.evaluator.value(node)

    def _module_value(self, declaration: _Declaration) -> Any:
        """`m` for `m.outputs.x`: the call's instance evaluated by `outputs_of` (`{name, outputs}`),
        unknown for a loop over modules, a call not deployed, or one that cannot be evaluated."""
        unknown = Unknown(declaration.name, (declaration.name,))
        body = _value_node(declaration.node)
        if body is None or body.type == "for_statement" or self.outputs_of is None:
            return unknown
        value = self.evaluator.conditional(body, {})
        if not isinstance(value, dict):
            return unknown
        outputs = self.outputs_of(declaration.name, _type_string(declaration.node) or "", value)
        if outputs is None:
            return unknown
        return {"name": value.get("name", Unknown(f"{declaration.name}.name")), "outputs": outputs}

    def resource_name(self, symbol: str) -> Any:
        declaration = self.symbols.get(symbol)
        if declaration is not None and declaration.keyword == "resource":
            node = declaration.node
        elif declaration is None and symbol in self.nested:
            node = self.nested[symbol][1]
        else:
            return NOT_A_RESOURCE
        if symbol not in self.names:
            self.names[symbol] = Unknown(f"{symbol}.name")  # while evaluating: a name that reads itself
            body = _value_node(node)
            value = Unknown(f"{symbol}.name", (f"{symbol}.name",))
            if body is not None and body.type == "object":
                for prop in named(body):
                    key, node = self.evaluator.property(prop, {}) if prop.type == "object_property" else (None, None)
                    if key == "name":
                        value = self.evaluator.value(node)
            self.names[symbol] = value
        return self.names[symbol]

    # --- declarations ------------------------------------------------------------------------

    def add(self, kind: str, type_: str, name: str, address: str, attributes: dict, node: Any,
            spans: dict | None = None) -> None:
        full = f"{self.prefix}.{address}" if self.prefix else ""
        self.resources.append(Resource(FORMAT, kind, type_, name, address, attributes, self.rel, self.module,
                                       _span(node), spans or {}, full_address=full))

    def build(self) -> None:
        # Where resources without `scope` deploy (role assignments read it).
        self.resources.append(Resource(FORMAT, "deployment", "targetScope", "targetScope", "targetScope",
                                       {"targetScope": self.target_scope}, self.rel, self.module, Span(1, 1)))
        for declaration in self.declarations:
            keyword, node, name = declaration.keyword, declaration.node, declaration.name
            if keyword == "param":
                default_node = _value_node(node)
                value = self.lookup(name)
                given = self.inputs is not None and name in self.inputs
                default = (self.evaluator.value(default_node) if given else value) if default_node is not None else None
                self.add("param", "param", name, name, {"value": value, "default": default,
                                                         "secure": _is_secure(declaration)}, node)
            elif keyword == "var":
                self.add("var", "var", name, name, {"value": self.lookup(name)}, node)
            elif keyword == "output":
                value_node = _value_node(node)
                value = self.evaluator.value(value_node) if value_node is not None else None
                self.add("output", "output", name, name, {"value": value, "secure": _is_secure(declaration)}, node)
            elif keyword == "resource":
                self._resource(declaration.node, name, None, {})
            elif keyword == "module":
                self._module(declaration)
        for line in dict.fromkeys(self.evaluator.truncated_loops):
            self.notes.append(f"{self.rel}:{line}: loop over more than {MAX_LOOP} items; only the first {MAX_LOOP} are judged")

    def _instances(self, body: Any, local: dict) -> list[tuple[str, dict, Any]]:
        """(address suffix, loop scope, body node) of each instance a declaration's value makes."""
        if body.type == "for_statement":
            scopes, inner = self.evaluator.loop_items(body, local)
            if scopes is None:
                return [("", self.evaluator.unknown_loop_scope(body, local), inner)]
            return [(f"[{i}]", scope, inner) for i, scope in enumerate(scopes)]
        return [("", local, body)]

    def _resource(self, node: Any, symbol: str, parent: tuple[str, str] | None, local: dict) -> None:
        written_type = _type_string(node) or ""
        type_ = written_type.split("@", 1)[0]
        if parent is not None and "." not in type_.split("/", 1)[0]:
            type_ = f"{parent[1]}/{type_}"  # a nested child names its type relative to its parent's
        address = f"{parent[0]}::{symbol}" if parent else symbol
        existing = any(c.type == "existing" for c in node.children)
        body = _value_node(node)
        if body is None:
            return
        for suffix, scope, inner in self._instances(body, local):
            value, spans = self.evaluator.with_spans(inner, scope)
            if value is SKIPPED:
                continue
            attributes = dict(value) if isinstance(value, dict) else {"body": value}
            if parent is not None and "parent" not in attributes:
                attributes["parent"] = Unknown(parent[0], (parent[0],))
            # Loop items share the declaration's address (the first stands in for references, as in
            # a Terraform plan): a finding about the declaration is reported once.
            self.add("existing" if existing else "resource", type_, symbol + suffix, address, attributes, node, spans)
            for child in self._children(inner):
                self._resource(child, text_of(next(c for c in child.children if c.type == "identifier")),
                               (address, type_), scope)

    @staticmethod
    def _children(body: Any) -> list:
        while body.type in ("if_statement", "for_statement"):
            body = named(body)[-1]
        if body.type != "object":
            return []
        return [c for prop in named(body) if prop.type == "object_property"
                for c in named(prop) if c.type == "resource_declaration"]

    def _module(self, declaration: _Declaration) -> None:
        node, name = declaration.node, declaration.name
        source = _type_string(node) or ""
        body = _value_node(node)
        if body is None:
            return
        if not _is_local(source):
            self.notes.append(f"{self.rel}:{line_of(node)}: module {name} from {source} not evaluated: "
                              "registry and template-spec modules are not downloaded")
        for suffix, scope, inner in self._instances(body, {}):
            value, spans = self.evaluator.with_spans(inner, scope)
            if value is SKIPPED:
                continue
            attributes = dict(value) if isinstance(value, dict) else {}
            attributes["source"] = source
            self.add("module", "module", name + suffix, name + suffix, attributes, node, spans)


def _is_local(source: str) -> bool:
    """`./openai.bicep`, `../modules/ai.bicep`; not `br:...`, `br/public:...`, `ts:...`."""
    return ":" not in source and not source.startswith("/") and source.lower().endswith((".bicep", ".json"))


def module_path(caller: str, source: str) -> str | None:
    """The scan-relative path a local module source names from file `caller`; None outside the root."""
    target = posixpath.normpath(posixpath.join(posixpath.dirname(caller), source))
    return None if target == ".." or target.startswith(("../", "/")) else target


@dataclass
class Evaluation:
    resources: list[Resource]
    notes: list[str]
    target_scope: str


def evaluate(root: Any, rel: str, module: str | None = None, inputs: dict | None = None, prefix: str = "",
             max_depth: int = DEFAULT_MAX_DEPTH, outputs_of: ModuleOutputs | None = None) -> Evaluation:
    """Every declaration of the file whose syntax tree is `root`, evaluated with `inputs` for its
    parameters (None: their defaults) and, given `outputs_of`, with the outputs of the modules it
    calls. Raises SourceError when nesting is too deep."""
    file = _File(root, rel, module or rel, inputs, prefix, max_depth, outputs_of)
    try:
        file.build()
    except TooDeep as error:
        raise SourceError(f"nesting deeper than {max_depth} levels; skipped", error.line) from None
    return Evaluation(file.resources, file.notes, file.target_scope)


_PARAM_ASSIGNMENT = re.compile(r"^([ \t]*)param([ \t]+)([A-Za-z_]\w*)(?=[ \t]*=)", re.MULTILINE)
_USING = re.compile(r"^[ \t]*using[ \t]+'([^'\n]*)'[^\n]*", re.MULTILINE)


def parse_parameters(text: str, rel: str, max_depth: int) -> list[Resource]:
    """A `.bicepparam` file: one Resource (kind `bicepparam`) with `using` and `params`.

    tree-sitter-bicep reads `param x = false` as a declaration whose type is `false`, so the
    file is read as Bicep with every `param x =` turned into `var x =` (same lines and columns)
    and its `using` line blanked."""
    using_match = _USING.search(text)
    names: list[str] = []

    def as_variable(match: re.Match) -> str:
        names.append(match.group(3))
        return f"{match.group(1)}var{match.group(2)}  {match.group(3)}"

    rewritten = _PARAM_ASSIGNMENT.sub(as_variable, _USING.sub(lambda m: " " * len(m.group(0)), text))
    root = syntax_tree(rewritten)
    file = _File(root, rel, rel, None, "", max_depth)
    params: dict = {}
    spans: dict = {}
    try:
        for declaration in file.declarations:
            if declaration.keyword == "var" and declaration.name in names:
                params[declaration.name] = file.lookup(declaration.name)
                spans[("params", declaration.name)] = _span(declaration.node)
    except TooDeep as error:
        raise SourceError(f"nesting deeper than {max_depth} levels; skipped", error.line) from None
    using = using_match.group(1) if using_match else None
    line = text.count("\n", 0, using_match.start()) + 1 if using_match else 1
    span = Span(line, line)
    return [Resource(FORMAT, "bicepparam", "bicepparam", rel, rel, {"using": using, "params": params}, rel, rel,
                     span, spans)]


def parse(rel: str, text: str, limits: ParseLimits, parameters_file: bool = False) -> ParsedFile:
    if not text.strip():
        return ParsedFile()
    if parameters_file:
        return ParsedFile(resources=tuple(parse_parameters(text, rel, limits.max_depth)))
    root = syntax_tree(text)
    evaluation = evaluate(root, rel, max_depth=limits.max_depth)
    return ParsedFile(resources=tuple(evaluation.resources), notes=tuple(evaluation.notes))
