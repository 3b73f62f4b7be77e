"""ARM JSON deployment templates and parameter files -> Resources (format `arm`).

`structured.py` decodes the JSON (with positions) and recognises a template by
its `$schema` (`.../deploymentTemplate.json`, or the subscription, management
group and tenant variants) and a parameter file by `deploymentParameters.json`.

Resources match the Bicep parser's: `type` is the ARM type without API version,
the attributes are the resource body with every `[...]` expression evaluated
(`arm_expressions`, the same function library as Bicep), a nested `resources`
entry becomes its own resource (type and name joined to its parent's, with
`parent`), and the address is `<type>/<name>` (a language-version 2.0
template's symbolic name where it has one), which is what `resourceId(...)`
references resolve to. `copy` loops are expanded up to MAX_COPY instances;
inline nested deployments (`Microsoft.Resources/deployments` with
`properties.template`) are evaluated with the parameters they are given, up to
MAX_NESTING levels (a resource of one that deploys elsewhere than its file, e.g.
a `resourceGroup` deployment in a subscription template, carries that scope as
TARGET_SCOPE_KEY). Parameters, variables and outputs become resources of kind
`param`, `var` and `output`. Comments (`//`, `/* */`) are blanked before decoding
(`structured.without_json_comments`); bracketed property names are evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiaas_iac.model import Resource, Span, Unknown
from aiaas_iac.parsers import ParsedFile
from aiaas_iac.parsers import arm_functions as fn
from aiaas_iac.parsers.arm_expressions import Call as ExpressionCall
from aiaas_iac.parsers.arm_expressions import ExpressionError, Scope, evaluate_string
from aiaas_iac.parsers.arm_expressions import evaluate_node
from aiaas_iac.parsers.arm_expressions import parse as parse_expression
from aiaas_iac.parsers.positioned_yaml import Document

FORMAT = "arm"
# Set on a resource of a nested deployment that deploys elsewhere than its file (`resourceGroup`
# inside a subscription template): the scope it deploys to when it has no `scope` of its own.
TARGET_SCOPE_KEY = "__targetScope__"
MAX_COPY = 100
MAX_NESTING = 8
MAX_RESOURCES = 5_000
_SECURE_TYPES = ("securestring", "secureobject")


def schema_kind(value: Any) -> str | None:
    """`template` or `parameters` for a decoded ARM file, None for anything else."""
    if not isinstance(value, Mapping):
        return None
    schema = value.get("$schema")
    if not isinstance(schema, str):
        return None
    lowered = schema.lower()
    if "deploymenttemplate.json" in lowered and isinstance(value.get("resources"), (list, dict)):
        return "template"
    if "deploymentparameters.json" in lowered and isinstance(value.get("parameters"), Mapping):
        return "parameters"
    return None


def target_scope(schema: Any) -> str:
    lowered = schema.lower() if isinstance(schema, str) else ""
    for marker, scope in (("subscriptiondeploymenttemplate", "subscription"),
                          ("managementgroupdeploymenttemplate", "managementGroup"),
                          ("tenantdeploymenttemplate", "tenant")):
        if marker in lowered:
            return scope
    return "resourceGroup"


class _Link(fn.ResourceLink):
    """`resourceId(type, name)` -> the address of the resource the template declares with them."""

    def __init__(self) -> None:
        self.addresses: dict[str, str] = {}

    def address(self, type_: str, names: list[str]) -> str:
        plain = super().address(type_, names)
        return self.addresses.get(plain.lower()) or plain

    def key(self, type_: str, names: list) -> str:
        """The lower-cased `<type>/<name>` a declaration registers under."""
        return super().address(type_, names).lower()

    def register(self, key: str, address: str) -> None:
        """`key` (lower-cased `<type>/<name>`) names `address`; a key two resources share (the same
        unknown name in two nested deployments) names neither."""
        if self.addresses.setdefault(key, address) != address:
            self.addresses[key] = ""


def parameter_value(declaration: Any) -> Any:
    """A parameter file entry's value: `value`, or unknown for a Key Vault `reference`."""
    if isinstance(declaration, Mapping) and "value" in declaration:
        return _placeholder_free(declaration["value"])
    return Unknown("parameter from Key Vault" if isinstance(declaration, Mapping) else "parameter")


def _placeholder_free(value: Any) -> Any:
    """azd parameter files hold `${AZURE_ENV_NAME}`: a substitution is unknown, not a value."""
    if isinstance(value, str) and "${" in value:
        return Unknown(value[:200])
    if isinstance(value, dict):
        return {k: _placeholder_free(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholder_free(v) for v in value]
    return value


class _Template:
    """One evaluation of one template (the file's, or an inline nested deployment's)."""

    def __init__(self, builder: "_Builder", template: Mapping, path: tuple, inputs: dict | None, depth: int,
                 deploys_to: str | None = None, prefix: str = "") -> None:
        self.builder, self.template, self.path, self.inputs, self.depth = builder, template, path, inputs, depth
        # Where a nested deployment deploys, when that is not where the file deploys.
        self.deploys_to = deploys_to
        self.prefix = prefix
        self.link = builder.link
        self.parameters = template.get("parameters") if isinstance(template.get("parameters"), Mapping) else {}
        self.variables = template.get("variables") if isinstance(template.get("variables"), Mapping) else {}
        self.values: dict[str, Any] = {}
        self.busy: set[str] = set()
        self.scope = Scope(self.parameter, self.variable, self.link)

    def parameter(self, name: str) -> Any:
        key = "p:" + name.lower()
        if key not in self.values:
            declared = next((v for k, v in self.parameters.items() if k.lower() == name.lower()), None)
            if self.inputs is not None and any(k.lower() == name.lower() for k in self.inputs):
                value = next(v for k, v in self.inputs.items() if k.lower() == name.lower())
            elif isinstance(declared, Mapping) and "defaultValue" in declared:
                value = self._guarded(key, lambda: self.value(declared["defaultValue"], self.scope))
            else:
                value = Unknown(f"parameters('{name}')")
            self.values[key] = value
        return self.values[key]

    def variable(self, name: str) -> Any:
        key = "v:" + name.lower()
        if key not in self.values:
            found = next((v for k, v in self.variables.items() if k.lower() == name.lower()), Unknown(name))
            self.values[key] = self._guarded(key, lambda: self.value(found, self.scope))
        return self.values[key]

    def _guarded(self, key: str, compute: Any) -> Any:
        if key in self.busy:
            return Unknown(key[2:])
        self.busy.add(key)
        try:
            return compute()
        finally:
            self.busy.discard(key)

    def value(self, raw: Any, scope: Scope, depth: int = 0) -> Any:
        if depth > self.builder.max_depth:
            raise RecursionError
        if isinstance(raw, str):
            return evaluate_string(raw, scope)
        if isinstance(raw, Mapping):
            copies = raw.get("copy")
            if isinstance(copies, list):  # property iteration: `"copy": [{"name", "count", "input"}]`
                out = {self.key(k, scope): self.value(v, scope, depth + 1) for k, v in raw.items() if k != "copy"}
                out.update(self.property_copies(copies, scope, depth + 1))
                return out
            return {self.key(k, scope): self.value(v, scope, depth + 1) for k, v in raw.items()}
        if isinstance(raw, list):
            return [self.value(v, scope, depth + 1) for v in raw]
        return raw

    def property_copies(self, copies: list, scope: Scope, depth: int) -> dict:
        """Each property a `copy` array builds: its `input` per index up to MAX_COPY, or unknown
        when the count is."""
        out: dict = {}
        for entry in copies:
            name = entry.get("name") if isinstance(entry, Mapping) else None
            if not isinstance(name, str):
                continue
            count = self.value(entry.get("count"), scope, depth)
            if not isinstance(count, int) or isinstance(count, bool) or count > MAX_COPY:
                out[name] = Unknown(f"copy {name}"[:200])
                continue
            out[name] = [self.value(entry.get("input"), scope.with_copy(name, i), depth + 1)
                         for i in range(max(0, count))]
        return out

    def key(self, raw: Any, scope: Scope) -> Any:
        """A property name: `"[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id')]"`
        is evaluated (an unknown result with references stays that Unknown), any other is kept."""
        if not (isinstance(raw, str) and raw.startswith("[") and raw.endswith("]") and not raw.startswith("[[")):
            return raw
        value = evaluate_string(raw, scope)
        return value if isinstance(value, str) or (isinstance(value, Unknown) and value.refs) else raw

    # --- resources -----------------------------------------------------------------------------

    def entries(self) -> list[tuple[tuple, str | None, Mapping]]:
        resources = self.template.get("resources")
        if isinstance(resources, Mapping):  # languageVersion 2.0: symbolic names
            return [(self.path + ("resources", k), k, v) for k, v in resources.items() if isinstance(v, Mapping)]
        if isinstance(resources, list):
            return [(self.path + ("resources", i), None, v) for i, v in enumerate(resources) if isinstance(v, Mapping)]
        return []

    def copies(self, body: Mapping, path: tuple) -> list[Scope]:
        copy = body.get("copy")
        if not isinstance(copy, Mapping):
            return [self.scope]
        count = self.value(copy.get("count"), self.scope)
        name = copy.get("name") if isinstance(copy.get("name"), str) else ""
        if not isinstance(count, int) or isinstance(count, bool):
            return [self.scope]
        if count > MAX_COPY:
            line = self.builder.line(path)
            self.builder.notes.append(f"{self.builder.rel}:{line}: copy count {count} is over {MAX_COPY}; "
                                      f"only the first {MAX_COPY} are judged")
            count = MAX_COPY
        return [self.scope.with_copy(name, i) for i in range(max(0, count))]

    def address_for(self, path: tuple, symbol: str | None, type_: str, name: Any) -> str:
        """A language-version 2.0 symbolic name, else `<type>/<name>`, else (a name known only at
        deploy time) the entry's place, `resources[2]`."""
        if symbol:  # a nested deployment's symbols are its own: `openai::account`
            return self.prefix + symbol
        if isinstance(name, str):
            return f"{type_}/{name}"
        return "/".join(f"resources[{p}]" for p in path[1::2] if isinstance(p, int)) or type_

    def register_names(self, parent: tuple[str, str] | None = None, entries: list | None = None) -> None:
        """First pass: the address of every declared (type, name), for `resourceId` links."""
        for path, symbol, body in entries if entries is not None else self.entries():
            for scope in self.copies(body, path)[:1] if "copy" in body else [self.scope]:
                type_, name = self.type_and_name(body, scope, parent)
                if type_ and isinstance(name, (str, Unknown)):
                    key = self.link.key(type_, [name])
                    self.link.register(key, self.address_for(path, symbol, type_, name))
                    children = body.get("resources")
                    if isinstance(children, list):
                        self.register_names((type_, name), [(path + ("resources", i), None, c)
                                                            for i, c in enumerate(children) if isinstance(c, Mapping)])

    def type_and_name(self, body: Mapping, scope: Scope, parent: tuple[str, str] | None) -> tuple[str, Any]:
        type_ = body.get("type") if isinstance(body.get("type"), str) else ""
        name = self.value(body.get("name"), scope)
        if parent is not None and "." not in type_.split("/", 1)[0]:
            type_ = f"{parent[0]}/{type_}"
            name = f"{parent[1]}/{name}" if isinstance(name, str) and isinstance(parent[1], str) else name
        return type_, name

    def build(self, parent: tuple[str, str, str] | None = None, entries: list | None = None) -> None:
        for path, symbol, body in entries if entries is not None else self.entries():
            for scope in self.copies(body, path):
                if len(self.builder.resources) >= MAX_RESOURCES:
                    return
                self.resource(path, symbol, body, scope, parent)

    def resource(self, path: tuple, symbol: str | None, body: Mapping, scope: Scope,
                 parent: tuple[str, str, str] | None) -> None:
        condition = self.value(body.get("condition", True), scope)
        if condition is False:
            return
        type_, name = self.type_and_name(body, scope, parent[:2] if parent else None)
        attributes = {k: self.value(v, scope) for k, v in body.items() if k not in ("resources", "copy", "type")}
        attributes["name"] = name
        written_type = type_
        if "/providers/" in type_.lower() and isinstance(name, Unknown):
            attributes["name"] = self.split_name(body.get("name"), scope) or name
        type_, attributes = _extension(type_, attributes, self.link)
        if isinstance(attributes.get("name"), tuple):  # not an extension name after all
            attributes["name"], type_ = name, written_type
        if self.deploys_to is not None and "scope" not in attributes:
            attributes[TARGET_SCOPE_KEY] = self.deploys_to
        if parent is not None:
            attributes.setdefault("parent", Unknown(parent[2], (parent[2],)))
        elif type_.count("/") >= 2 and isinstance(name, str) and "/" in name and "scope" not in attributes:
            # A child declared at the top (`accounts/deployments` named `oai/gpt`) belongs to `oai`.
            owner = f"{type_.rsplit('/', 1)[0]}/{name.rsplit('/', 1)[0]}"
            owner = self.link.addresses.get(owner.lower()) or owner
            attributes["parent"] = Unknown(owner, (owner,))
        key = self.link.key(type_ if "/providers/" not in type_.lower() else body.get("type", type_), [name])
        address = self.link.addresses.get(key) or self.address_for(path, symbol, type_, name)
        # languageVersion 2.0 `"existing": true`: a reference to a resource the template does not create.
        kind = "existing" if body.get("existing") is True else "resource"
        attributes.pop("existing", None)
        self.builder.add(kind, type_, address, attributes, path)
        if type_.lower() == "microsoft.resources/deployments":
            self.nested(attributes, body, path, scope, address)
        children = body.get("resources")
        if isinstance(children, list):
            self.build((type_, name, address), [(path + ("resources", i), None, c)
                                                for i, c in enumerate(children) if isinstance(c, Mapping)])

    def split_name(self, raw: Any, scope: Scope) -> tuple[Any, str] | None:
        """An extension resource's name whose parent part is known only at deploy time:
        `concat(parameters('n'), '/Microsoft.Insights/x')` or `format('{0}/Microsoft.Insights/x',
        parameters('n'))` -> (the parent's name, `/Microsoft.Insights/x`)."""
        if not isinstance(raw, str) or not raw.startswith("[") or raw.startswith("[["):
            return None
        try:
            node = parse_expression(raw[1:-1])
        except ExpressionError:
            return None
        if not isinstance(node, ExpressionCall) or len(node.args) < 2:
            return None
        function, args = node.name.lower(), node.args
        if function == "concat" and isinstance(args[-1], str) and args[-1].startswith("/"):
            head = ExpressionCall("concat", args[:-1], "concat") if len(args) > 2 else args[0]
            return evaluate_node(head, scope, raw[1:-1][:200]), args[-1]
        if function == "format" and len(args) == 2 and isinstance(args[0], str) and args[0].startswith("{0}/"):
            return evaluate_node(args[1], scope, raw[1:-1][:200]), args[0][3:]
        return None

    def nested(self, attributes: dict, body: Mapping, path: tuple, scope: Scope, address: str) -> None:
        properties = body.get("properties")
        inner = properties.get("template") if isinstance(properties, Mapping) else None
        if not isinstance(inner, Mapping):
            return
        if self.depth >= MAX_NESTING:
            self.builder.notes.append(f"{self.builder.rel}:{self.builder.line(path)}: nested deployments deeper "
                                      f"than {MAX_NESTING} levels; not evaluated")
            return
        given = properties.get("parameters")
        inputs = {k: (self.value(v.get("value"), scope) if isinstance(v, Mapping) and "value" in v else Unknown(k))
                  for k, v in (given.items() if isinstance(given, Mapping) else [])}
        # Bicep compiles `scope: resourceGroup('x')` on a module to a `resourceGroup` on the deployment.
        if "resourceGroup" in body:
            deploys_to = "resourceGroup"
        elif "$schema" in inner:
            deploys_to = target_scope(inner.get("$schema"))
        else:
            deploys_to = self.deploys_to
        nested = _Template(self.builder, inner, path + ("properties", "template"), inputs, self.depth + 1,
                           deploys_to if deploys_to != self.builder.target_scope or self.deploys_to else None,
                           f"{address}::")
        nested.register_names()
        nested.build()


def _extension(type_: str, attributes: dict, link: fn.ResourceLink) -> tuple[str, dict]:
    """`<parent type>/providers/<type>` named `<parent name>/<namespace>/<name>`: the type
    `<namespace>/<type>` with `scope` set to the parent (`Microsoft.CognitiveServices/accounts/oai`)."""
    lowered = type_.lower()
    marker = lowered.find("/providers/")
    name = attributes.get("name")
    if marker < 0 or not isinstance(name, (str, tuple)):
        return type_, attributes
    if isinstance(name, tuple):  # (unknown parent name, "/Namespace/name")
        parent_name, rest = name
        parts = rest.strip("/").split("/")
        if len(parts) != 2 or type_[:marker].count("/") != 1:
            return type_, attributes
        target = link.address(type_[:marker], [parent_name])
        return (f"{parts[0]}/{type_[marker + len('/providers/'):]}",
                {**attributes, "name": parts[1], "scope": Unknown(target, (target,))})
    parent_type, extension = type_[:marker], type_[marker + len("/providers/"):]
    parts = name.split("/")
    parent_segments = parent_type.count("/")
    if len(parts) < parent_segments + 2:
        return type_, attributes
    scope = f"{parent_type}/{'/'.join(parts[:parent_segments])}"
    namespace = parts[parent_segments]
    return f"{namespace}/{extension}", {**attributes, "name": "/".join(parts[parent_segments + 1:]), "scope": scope}


class _Builder:
    def __init__(self, document: Document, rel: str, max_depth: int) -> None:
        self.document, self.rel, self.max_depth = document, rel, max_depth
        self.link = _Link()
        self.target_scope = target_scope(document.value.get("$schema")) if isinstance(document.value, Mapping) \
            else "resourceGroup"
        self.resources: list[Resource] = []
        self.notes: list[str] = []

    def line(self, path: tuple) -> int:
        span = self.document.spans.get(path)
        return span.start_line if span else 1

    def spans_under(self, path: tuple) -> dict:
        size = len(path)
        return {p[size:]: s for p, s in self.document.spans.items() if len(p) > size and p[:size] == path}

    def add(self, kind: str, type_: str, address: str, attributes: dict, path: tuple) -> None:
        span = self.document.spans.get(path) or Span(1, 1)
        name = address
        self.resources.append(Resource(FORMAT, kind, type_, name, address, attributes, self.rel, self.rel, span,
                                       self.spans_under(path)))


def from_template(document: Document, rel: str, max_depth: int = 200, inputs: dict | None = None) -> ParsedFile:
    """The resources of a decoded deployment template, evaluated with `inputs` for its
    parameters (None: their defaults)."""
    builder = _Builder(document, rel, max_depth)
    template = _Template(builder, document.value, (), inputs, 0)
    builder.add("deployment", "targetScope", "targetScope",
                {"targetScope": target_scope(document.value.get("$schema"))}, ("$schema",))
    try:
        for name in template.parameters:
            declared = template.parameters[name]
            secure = isinstance(declared, Mapping) and str(declared.get("type", "")).lower() in _SECURE_TYPES
            default = declared.get("defaultValue") if isinstance(declared, Mapping) else None
            builder.add("param", "param", name, {"value": template.parameter(name), "default": default,
                                                 "secure": secure}, ("parameters", name))
        for name in template.variables:
            builder.add("var", "var", name, {"value": template.variable(name)}, ("variables", name))
        template.register_names()
        template.build()
        outputs = document.value.get("outputs")
        for name, body in (outputs.items() if isinstance(outputs, Mapping) else []):
            if isinstance(body, Mapping):
                secure = str(body.get("type", "")).lower() in _SECURE_TYPES
                builder.add("output", "output", name, {"value": template.value(body.get("value"), template.scope),
                                                       "secure": secure}, ("outputs", name))
    except RecursionError:
        return ParsedFile(errors=(_error(rel, "nesting too deep to analyse; skipped"),))
    return ParsedFile(resources=tuple(builder.resources), notes=tuple(dict.fromkeys(builder.notes)))


def from_parameters(document: Document, rel: str) -> ParsedFile:
    parameters = document.value.get("parameters", {})
    values = {k: parameter_value(v) for k, v in parameters.items()}
    spans = {("parameters",) + p[1:]: s for p, s in document.spans.items() if p[:1] == ("parameters",)}
    return ParsedFile(resources=(Resource(FORMAT, "parameters", "parameters", rel, rel, {"parameters": values},
                                          rel, rel, Span(1, 1), spans),))


def _error(rel: str, message: str) -> Any:
    from aiaas_iac.model import ParseError

    return ParseError(rel, message)
