// Lints snippets as if they were files of the repository, with only the boundary rules running.
// stdin: JSON [{ path, code }] (path relative to the repository); stdout: JSON [[ruleId, ...], ...].
// A separate process because ESLint loads eslint.config.mjs with a dynamic import, which jest's
// CommonJS sandbox cannot do.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = join(import.meta.dirname, '..', '..');
const BOUNDARY_RULES = new Set(['no-restricted-imports', 'import-x/no-cycle']);

const eslint = new ESLint({
  cwd: ROOT,
  // Parse without the TypeScript program: the boundary rules need syntax and resolution only.
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  ruleFilter: ({ ruleId }) => BOUNDARY_RULES.has(ruleId),
});

const snippets = JSON.parse(readFileSync(0, 'utf8'));
const out = [];
for (const { path, code } of snippets) {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  const fatal = result.messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${path}: ${fatal.message}`);
  out.push(result.messages.map((m) => m.ruleId));
}
process.stdout.write(JSON.stringify(out));
