"""The inventory as text (a table), JSON (schemas/inventory.schema.json) and Markdown (a table and a
Mermaid flowchart, for PR comments and step summaries); also the diff against a base revision.

Every identifier and value comes from the scanned tree: the text table goes through the terminal
escaping, Markdown cells through `markdown_cell`, and Mermaid labels through `mermaid_label`,
which keeps only a small alphabet and writes everything else as a Mermaid entity code."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable

from aiaas_iac.inventory.model import CAPABILITY_RANK, LONG_LIVED, SCHEMA_VERSION, AccessPath
from aiaas_iac.report.escape import json_text, terminal_lines, terminal_text, visible

if TYPE_CHECKING:
    from aiaas_iac.inventory import Inventory
    from aiaas_iac.inventory.diff import InventoryDiff

FORMATS = ("text", "json", "markdown")
MAX_NODE_IDENTITIES = 4  # identities named in one collapsed Mermaid node, then counted
MAX_SERVICE_NODES = 8  # identity nodes drawn per service; the rest fold into one per capability
MAX_LABEL = 80


# --- JSON -------------------------------------------------------------------------------------


def document(inventory: "Inventory", diff: "InventoryDiff | None" = None) -> dict[str, Any]:
    from aiaas_iac import __version__
    from aiaas_iac.report import PROJECT_URI, TOOL_NAME
    from aiaas_iac.report.json import parse_error_entry

    paths = inventory.paths
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__, "information_uri": PROJECT_URI},
        "root": inventory.root.as_posix(),
        "summary": {
            "paths": len(paths),
            "identities": len({(p.identity.kind, p.identity.file, p.identity.address) for p in paths}),
            "by_service": dict(sorted(_count(p.service for p in paths).items())),
            "by_capability": dict(sorted(_count(p.capability for p in paths).items())),
            "long_lived": sum(1 for p in paths if p.long_lived),
            "not_logged": sum(1 for p in paths if p.logged is False),
            "files_scanned": inventory.report.files_scanned,
            "files_not_parsed": len({e.file for e in inventory.report.errors}),
        },
        "paths": [p.as_dict() for p in paths],
        "errors": [parse_error_entry(e) for e in inventory.report.errors],
        "tool_errors": list(inventory.report.tool_errors) + list(inventory.failures),
    }
    if diff is not None:
        out["diff"] = diff.as_dict()
    return out


def _count(values: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for value in values:
        counts[value] += 1
    return dict(counts)


def render_json(inventory: "Inventory", diff: "InventoryDiff | None" = None) -> str:
    return json_text(document(inventory, diff))


# --- text -------------------------------------------------------------------------------------


def _logged_word(logged: bool | None) -> str:
    return {True: "yes", False: "no", None: "unknown"}[logged]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _row(path: AccessPath) -> list[str]:
    return [path.identity.address, path.identity.kind, path.service, path.capability, _short(path.scope),
            path.credential, _logged_word(path.logged), ",".join(path.findings) or "-",
            f"{path.identity.file}:{path.identity.line}"]


_HEADER = ["IDENTITY", "KIND", "SERVICE", "CAPABILITY", "SCOPE", "CREDENTIAL", "LOGGED", "FINDINGS", "WHERE"]


def render_text(inventory: "Inventory", diff: "InventoryDiff | None" = None) -> str:
    lines: list[str] = []
    if diff is not None:
        lines += diff_text_lines(diff)
        lines.append("")
    rows = [_HEADER] + [[terminal_text(_short(cell, 70)) for cell in _row(p)] for p in inventory.paths]
    if inventory.paths:
        widths = [max(len(r[i]) for r in rows) for i in range(len(_HEADER))]
        lines += ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
        lines.append("")
    for error in inventory.report.errors:
        where = f"{error.file}:{error.line}" if error.line else error.file
        lines.append(terminal_text(f"{where}: error: {error.message}"))
    for failure in list(inventory.report.tool_errors) + list(inventory.failures):
        lines.append(terminal_text(f"error: {failure}"))
    lines.append(summary_line(inventory))
    return terminal_lines("\n".join(lines)) + "\n"


def summary_line(inventory: "Inventory") -> str:
    paths = inventory.paths
    identities = len({(p.identity.kind, p.identity.file, p.identity.address) for p in paths})
    long_lived = sum(1 for p in paths if p.long_lived)
    not_logged = sum(1 for p in paths if p.logged is False)
    files = inventory.report.files_scanned
    text = (f"{len(paths)} access path{'s' if len(paths) != 1 else ''} for {identities} "
            f"identit{'ies' if identities != 1 else 'y'} ({long_lived} long-lived, {not_logged} not logged)"
            f" in {files} file{'s' if files != 1 else ''}")
    skipped = len({e.file for e in inventory.report.errors})
    return text + (f"; {skipped} file{'s' if skipped != 1 else ''} skipped" if skipped else "")


# --- Markdown and Mermaid -----------------------------------------------------------------------

# What can start emphasis, code, a link, an autolinked issue reference or a strikethrough, or
# end a table cell, anywhere in a line. (`-`, `+`, `>` and `!` only matter at a line start or
# before `[`, which cells never are or is escaped; `<`/`>` become entities anyway.)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~])")


def markdown_cell(text: str) -> str:
    """A value in a Markdown table cell: one line, no HTML, no emphasis or links, no `|`, no
    @-mentions (a PR comment would notify), no `::` workflow command at a line start."""
    text = html.escape(visible(str(text)), quote=False)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return text.replace("@", "&#64;").replace("::", "&#58;&#58;")


def code_span_text(text: str, limit: int = 120) -> str:
    """A value inside a Markdown code span: shown literally (no escapes), so only backticks and
    line breaks must go."""
    text = visible(str(text)).replace("`", "'")
    return text if len(text) <= limit else text[: limit - 3] + "..."


_MERMAID_SAFE = re.compile(r"[^A-Za-z0-9 ._/=,+*$:@-]")


def mermaid_label(text: str, limit: int = MAX_LABEL) -> str:
    """Text inside a quoted Mermaid label: everything outside a small alphabet (quotes, brackets,
    `|`, `;`, `<`, backticks, `#`, `%`, `>` of `-->`) becomes an entity code `#NN;`, and
    line breaks and control characters are shown escaped."""
    text = visible(str(text))
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    text = text.replace("--", "- -")  # no `-->`/`---` link syntax even without the `>`
    return _MERMAID_SAFE.sub(lambda m: f"#{ord(m.group())};", text)


def _edge_scope(path: AccessPath) -> str:
    if path.scope_all:
        return "all"
    values = list(path.scope_values)
    if not values:
        return _short(path.scope, 40)
    return _short(values[0], 40) + (f" +{len(values) - 1}" if len(values) > 1 else "")


def _group_rank(item: tuple) -> tuple:
    """Riskiest first: capability, then every resource, a long-lived credential, not logged."""
    (capability, scope, credential, logged), _ = item
    return (-CAPABILITY_RANK[capability], scope != "all", credential not in LONG_LIVED, logged is not False, scope,
            credential)


def _node_label(names: list[str], credential: str) -> str:
    shown = ", ".join(names[:MAX_NODE_IDENTITIES])
    if len(names) > MAX_NODE_IDENTITIES:
        shown += f" and {len(names) - MAX_NODE_IDENTITIES} more"
    return f"{mermaid_label(shown, 160)}<br/>{mermaid_label(credential)}"


def mermaid(paths: list[AccessPath]) -> str:
    """identities -> services, grouped by service: identities that reach one service with the same
    capability, scope and credential kind share one node and one edge. A service shows at most
    MAX_SERVICE_NODES such nodes, riskiest first; the rest fold into one node per capability that
    counts their identities and scopes (the table lists every path)."""
    lines = ["flowchart LR"]
    by_service: dict[str, dict[tuple, list[AccessPath]]] = defaultdict(lambda: defaultdict(list))
    for path in paths:
        key = (path.capability, _edge_scope(path), path.credential, path.logged)
        by_service[path.service][key].append(path)
    node = 0
    for service_index, service in enumerate(sorted(by_service)):
        service_id = f"s{service_index}"
        lines.append(f'  subgraph g{service_index}["{mermaid_label(service)}"]')
        lines.append(f'    {service_id}(("{mermaid_label(service)}"))')
        groups = sorted(by_service[service].items(), key=_group_rank)
        shown, folded = groups[:MAX_SERVICE_NODES], groups[MAX_SERVICE_NODES:]
        if len(folded) == 1:  # folding one group would save nothing
            shown, folded = groups, []
        edges = []
        for (capability, scope, credential, logged), members in shown:
            lines.append(f'    n{node}["{_node_label([p.identity.address for p in members], credential)}"]')
            edge = f"{mermaid_label(capability)}: {mermaid_label(scope, 48)}"
            if logged is False:
                edge += ", not logged"
            edges.append(f'    n{node} -->|"{edge}"| {service_id}')
            node += 1
        by_capability: dict[str, list[tuple]] = defaultdict(list)
        for item in folded:
            by_capability[item[0][0]].append(item)
        for capability in sorted(by_capability, key=lambda c: -CAPABILITY_RANK[c]):
            items = by_capability[capability]
            members = [p for _, group in items for p in group]
            credentials = {key[2] for key, _ in items}
            credential = credentials.pop() if len(credentials) == 1 else f"{len(credentials)} kinds of credential"
            lines.append(f'    n{node}["{_node_label([p.identity.address for p in members], credential)}"]')
            not_logged = sum(1 for p in members if p.logged is False)
            edge = f"{mermaid_label(capability)}: {len(items)} different scopes"
            if not_logged:
                edge += f", {not_logged} not logged"
            edges.append(f'    n{node} -->|"{edge}"| {service_id}')
            node += 1
        lines += edges
        lines.append("  end")
    return "\n".join(lines)


def _markdown_table(paths: list[AccessPath]) -> list[str]:
    rows = ["| Identity | Kind | Service | Capability | Scope | Credential | Logged | Findings |",
            "|---|---|---|---|---|---|---|---|"]
    for path in paths:
        cells = [path.identity.address, path.identity.kind, path.service, path.capability, _short(path.scope, 120), path.credential,
                 _logged_word(path.logged), ", ".join(path.findings) or "-"]
        rows.append("| " + " | ".join(markdown_cell(c) for c in cells) + " |")
    return rows


def render_markdown(inventory: "Inventory", diff: "InventoryDiff | None" = None) -> str:
    lines = ["## AI access inventory", ""]
    if diff is not None:
        lines += diff_markdown_lines(diff) + [""]
    lines.append(markdown_cell(summary_line(inventory)))
    lines.append("")
    if inventory.paths:
        if diff is not None:  # the change first; every path folded below it
            lines += ["<details><summary>All access paths</summary>", ""]
        lines += ["```mermaid", mermaid(inventory.paths), "```", ""]
        lines += _markdown_table(inventory.paths)
        if diff is not None:
            lines += ["", "</details>"]
    for error in inventory.report.errors:
        where = f"{error.file}:{error.line}" if error.line else error.file
        lines.append("")
        lines.append(f"- skipped {markdown_cell(where)}: {markdown_cell(error.message)}")
    return "\n".join(lines) + "\n"


# --- the diff -------------------------------------------------------------------------------------


def diff_text_lines(diff: "InventoryDiff") -> list[str]:
    lines = [terminal_text(f"Compared with {diff.base}: {diff.summary()}")]
    for entry in diff.entries:
        path = entry.path
        reasons = f" ({'; '.join(entry.reasons)})" if entry.reasons else ""
        lines.append(terminal_text(f"  {entry.change:8} {path.identity.address} -> {path.service} "
                                   f"[{path.capability}, {_short(path.scope, 60)}]{reasons}"))
    return lines


def diff_markdown_lines(diff: "InventoryDiff") -> list[str]:
    lines = [f"### Access changes since `{code_span_text(diff.base)}`", "",
             markdown_cell(diff.summary()), ""]
    if not diff.entries:
        return lines
    lines += ["| Change | Identity | Service | Capability | Scope | Credential | Logged | What changed |",
              "|---|---|---|---|---|---|---|---|"]
    for entry in diff.entries:
        path = entry.path
        cells = [entry.change, path.identity.address, path.service, path.capability, _short(path.scope, 100),
                 path.credential, _logged_word(path.logged), "; ".join(entry.reasons) or "-"]
        lines.append("| " + " | ".join(markdown_cell(c) for c in cells) + " |")
    changed = [e.path for e in diff.entries if e.change != "removed"]
    if changed:
        lines += ["", "```mermaid", mermaid(changed), "```"]
    return lines


def render(inventory: "Inventory", format_name: str, diff: "InventoryDiff | None" = None) -> str:
    return {"text": render_text, "json": render_json, "markdown": render_markdown}[format_name](inventory, diff)
