// Validates an AsyncAPI document with the official parser (@asyncapi/parser): prints every
// diagnostic as JSON lines and exits 1 when any of them is an error.
// Usage: node tests/contracts/validate_asyncapi.mjs docs/asyncapi.json
import { readFileSync } from "node:fs";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const path = process.argv[2];
if (!path) {
  console.error("usage: validate_asyncapi.mjs <document>");
  process.exit(2);
}
const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(path, "utf8"), { source: path });
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
for (const d of diagnostics) {
  console.log(JSON.stringify({ severity: d.severity, code: d.code, path: d.path, message: d.message }));
}
console.log(JSON.stringify({ valid: document !== undefined && errors.length === 0, errors: errors.length, diagnostics: diagnostics.length }));
process.exit(errors.length === 0 && document !== undefined ? 0 : 1);
