// Checks the house's size limits on non-test source (packages/*/src, services/*/src, without
// *.test.ts): no file over 400 lines, no function (declaration, method, constructor, accessor,
// arrow or function expression) over 80 lines, counted from its first line to its last, inner
// functions included. Entries in scripts/size-allowlist.json are tolerated while they still
// offend; an entry that no longer offends is reported too, so the list can only shrink.
// Exits 1 with a list of problems. Usage: node scripts/check-size.mjs [repository root]
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;

// The repository; test/lint/size.test.ts passes a scratch tree instead.
const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
const allowlistPath = join(root, 'scripts', 'size-allowlist.json');

/** Every non-test TypeScript source file under `dir`, recursively. */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    const isSource = /\.(ts|tsx|mts|cts)$/.test(entry.name) && !/\.d\.[mc]?ts$/.test(entry.name);
    return isSource && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** A readable name for a function-like node: `name`, `Class.method`, or `<arrow>` with its line. */
function functionName(node, sourceFile) {
  const own = node.name && ts.isIdentifier(node.name) ? node.name.text : undefined;
  const parent = node.parent;
  const cls = parent && ts.isClassLike(parent) && parent.name ? `${parent.name.text}.` : '';
  if (ts.isConstructorDeclaration(node)) return `${cls}constructor`;
  if (own) return `${cls}${own}`;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
  return `<anonymous at line ${line + 1}>`;
}

/** Offenders in one file, as `{ key, message }` (key: what the allow-list names). */
function offendersIn(path) {
  const text = readFileSync(path, 'utf8');
  const file = relative(root, path);
  const offenders = [];
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > MAX_FILE_LINES)
    offenders.push({ key: file, message: `${file}: ${lines} lines (max ${MAX_FILE_LINES})` });
  const sourceFile = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line;
      const last = sourceFile.getLineAndCharacterOfPosition(node.getEnd()).line;
      const length = last - first + 1;
      if (length > MAX_FUNCTION_LINES) {
        const name = functionName(node, sourceFile);
        offenders.push({
          key: `${file}#${name}`,
          message: `${file}:${first + 1} ${name}: ${length} lines (max ${MAX_FUNCTION_LINES})`,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return offenders;
}

const files = ['packages', 'services'].flatMap((group) =>
  readdirSync(join(root, group))
    .map((name) => join(root, group, name, 'src'))
    .filter((src) => existsSync(src))
    .flatMap(sourceFiles),
);
const offenders = files.flatMap(offendersIn);
const allowed = new Set(
  existsSync(allowlistPath) ? (JSON.parse(readFileSync(allowlistPath, 'utf8')).allowed ?? []) : [],
);
const problems = offenders.filter((o) => !allowed.has(o.key)).map((o) => o.message);
const stale = [...allowed].filter((key) => !offenders.some((o) => o.key === key));
for (const key of stale)
  problems.push(`${key}: no longer offends; remove it from scripts/size-allowlist.json`);
if (problems.length > 0) {
  console.error(`size limits (files ≤ ${MAX_FILE_LINES} lines, functions ≤ ${MAX_FUNCTION_LINES}):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`size limits: ${files.length} files checked, ${allowed.size} allow-listed, no new offenders`);
