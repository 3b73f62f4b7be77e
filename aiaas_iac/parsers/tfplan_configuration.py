"""What a Terraform plan's `configuration` section adds to its planned values.

A plan's `planned_values` hold literal values only: an attribute known after
apply (`policy_arn = aws_iam_policy.app.arn` on a policy being created) is
simply missing, so a check cannot tell which resource it would come from.
The `configuration` section still has each expression's `references`
(`["aws_iam_policy.app.arn", "aws_iam_policy.app"]`, module-local like in
the source), and each output's expression and `sensitive` flag. This module
reads them so that a plan links resources the way its source does.

Configuration is per module *call* (`module.app`), planned values per module
*instance* (`module.app[0]`): instance keys are dropped to match the two.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from aiaas_iac.model import Resource, Span, Unknown
from aiaas_iac.parsers.positioned_yaml import Document

ROOT = "root"
OUTPUT_EXPRESSION = "(output expression in the plan configuration)"
_INSTANCE_KEY = re.compile(r"\[(?:\d+|\"(?:[^\"\\]|\\.)*\")\]")


def module_call_path(module_address: str) -> str:
    """`module.app[0].module.db["a"]` -> `module.app.module.db`; the root module stays `root`."""
    return _INSTANCE_KEY.sub("", module_address)


def _configured_modules(plan: dict) -> Iterator[tuple[str, dict, tuple]]:
    """(module call path, module configuration, its path in the document) for every module."""
    root = plan.get("configuration", {}).get("root_module") if isinstance(plan.get("configuration"), dict) else None
    stack = [(ROOT, root, ("configuration", "root_module"))] if isinstance(root, dict) else []
    while stack:
        address, module, path = stack.pop(0)
        yield address, module, path
        calls = module.get("module_calls")
        for name, call in (calls.items() if isinstance(calls, dict) else ()):
            child = call.get("module") if isinstance(call, dict) else None
            if isinstance(child, dict):
                prefix = "" if address == ROOT else address + "."
                stack.append((f"{prefix}module.{name}", child, path + ("module_calls", name, "module")))


def resource_expressions(plan: dict) -> dict[tuple[str, str], dict]:
    """{(module call path, `type.name` / `data.type.name`): the resource's `expressions`}."""
    found: dict[tuple[str, str], dict] = {}
    for address, module, _ in _configured_modules(plan):
        resources = module.get("resources")
        for entry in resources if isinstance(resources, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("address"), str) \
                    and isinstance(entry.get("expressions"), dict):
                found[(address, entry["address"])] = entry["expressions"]
    return found


_MODULE_REF = re.compile(r'module\.([^.\[\]"]+)(\[(?:\d+|"(?:[^"\\]|\\.)*")\])?\.([^.\[]+)')
_MAX_CROSSINGS = 16  # module boundaries one reference is followed across (the source tree's MAX_DEPTH)


class CrossedReferences:
    """A module's references as they reach resources of other module instances, the way the source's
    module tree passes them (module_tree.crossed): `var.x` in `module.tool` is what the root's call
    passes as `x` (`aws_iam_role.lambda.arn` -> `$parent.aws_iam_role.lambda.arn`), and
    `module.fn.lambda_arn` is what fn's output `lambda_arn` references
    (`$module.fn.aws_lambda_function.tool.arn`). A plan configures calls, not instances: a reference
    into a module called with count/for_each is followed only when it names the instance."""

    def __init__(self, plan: dict) -> None:
        self.modules = {address: module for address, module, _ in _configured_modules(plan)}

    def rewrite(self, refs: tuple[str, ...], call_path: str, depth: int = 0) -> tuple[str, ...]:
        from aiaas_iac.context import ref_into_module, ref_out_of_module

        if depth >= _MAX_CROSSINGS:
            return ()
        out: dict[str, None] = {}
        module = self.modules.get(call_path)
        for ref in refs:
            head = ref.split(".", 1)[0]
            found: tuple[str, ...] = (ref,)
            if head == "var" and call_path != ROOT and module is not None:
                parent, _, name = call_path.rpartition(".module.")
                parent = parent or ROOT
                name = name or call_path.removeprefix("module.")
                call = _at_keys(self.modules.get(parent), "module_calls", name)
                expression = _at_keys(call, "expressions", ref.split(".")[1].split("[", 1)[0])
                inner = self.rewrite(_references(expression), parent, depth + 1)
                found = tuple(r for r in (ref_into_module(r) for r in inner) if r is not None)
            elif head == "module" and module is not None:
                match = _MODULE_REF.match(ref)
                child = f"{'' if call_path == ROOT else call_path + '.'}module.{match.group(1)}" if match else ""
                output = _at_keys(self.modules.get(child), "outputs", match.group(3)) if match else None
                if isinstance(output, dict):
                    step = match.group(1) + (match.group(2) or "")
                    inner = self.rewrite(_references(output.get("expression")), child, depth + 1)
                    found = tuple(r for r in (ref_out_of_module(r, step) for r in inner) if r is not None)
            out.update(dict.fromkeys(found))
        return tuple(out)


def _at_keys(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _references(expression: Any) -> tuple[str, ...]:
    refs = expression.get("references") if isinstance(expression, dict) else None
    return tuple(r for r in refs if isinstance(r, str)) if isinstance(refs, list) else ()


def with_references(value: Any, expression: Any, crossed: Any = None) -> Any:
    """`value` with each attribute known only after apply given the references its expression makes.

    A block's expressions are a list with one object per block. One expression's references
    belong to the whole attribute: an unknown element of a map or list (one entry of
    `app_settings = {...}`) does not get them, since which entry reads what is not in the plan."""
    if isinstance(expression, list):
        if isinstance(value, list) and len(value) == len(expression):
            return [with_references(v, e, crossed) if isinstance(v, dict) else v for v, e in zip(value, expression)]
        return value
    if isinstance(value, dict) and isinstance(expression, dict) and "references" not in expression \
            and "constant_value" not in expression:
        return {key: with_references(item, expression.get(key), crossed) for key, item in value.items()}
    refs = _references(expression)
    if crossed is not None and refs:  # (CrossedReferences, module call path)
        refs = crossed[0].rewrite(refs, crossed[1])
    if isinstance(value, Unknown) and not value.refs and refs:
        return Unknown(value.text, refs)
    return value


def _output_value(expression: Any, crossed: CrossedReferences, call_path: str) -> Any:
    if isinstance(expression, dict) and "constant_value" in expression:
        return expression["constant_value"]
    # The plan keeps references, not the expression: `x[*].id`, `length(x)` and `nonsensitive(x)`
    # all reference just `x`. Only a reference to an attribute (`x.secret`) says what is read.
    return Unknown(OUTPUT_EXPRESSION, crossed.rewrite(_references(expression), call_path))


def output_resources(document: Document, rel: str, module_instances: list[str]) -> list[Resource]:
    """Each configured output as an `output` Resource, once per instance of its module.

    Its `value` is an Unknown with the references its expression makes (the plan keeps no
    expression text, so a function wrapped around a reference cannot be seen)."""
    out: list[Resource] = []
    crossed = CrossedReferences(document.value)
    for address, module, path in _configured_modules(document.value):
        outputs = module.get("outputs")
        instances = [m for m in module_instances if module_call_path(m) == address] or [address]
        for name, output in (outputs.items() if isinstance(outputs, dict) else ()):
            if not isinstance(output, dict):
                continue
            attributes = {"value": _output_value(output.get("expression"), crossed, address),
                          "sensitive": output.get("sensitive") is True}
            output_path = path + ("outputs", name)
            span = document.spans.get(output_path) or Span(1, 1)
            spans = {("value",): document.spans.get(output_path + ("expression",), span)}
            out.extend(Resource("terraform", "output", "output", name, f"output.{name}", attributes, rel,
                                f"{rel}#{instance}", span, spans,
                                full_address="" if instance == ROOT else f"{instance}.output.{name}")
                       for instance in instances)
    return out
