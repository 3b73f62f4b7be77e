// Parses Mermaid diagrams with the real `mermaid` package (tests/test_mermaid_parser.py).
// Usage: node parse.mjs NODE_MODULES_DIR < diagrams.json
// stdin: a JSON array of diagram texts; stdout: one JSON array of {ok, type} or {ok: false, error}.
// mermaid.parse needs a DOM for DOMPurify: jsdom provides the window.
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(path.join(path.resolve(process.argv[2] ?? "."), "resolve-from-here.js"));
const { JSDOM } = require("jsdom");
const dom = new JSDOM("<!DOCTYPE html><body></body>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaid = (await import(pathToFileURL(require.resolve("mermaid")).href)).default;
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const text of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(text);
    results.push({ ok: true, type: parsed.diagramType });
  } catch (error) {
    results.push({ ok: false, error: String(error?.message ?? error).split("\n").slice(0, 6).join(" | ") });
  }
}
process.stdout.write(JSON.stringify(results) + "\n");
