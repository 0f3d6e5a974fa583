/**
 * scripts/check-size.mjs, run on scratch trees: a file over 400 lines and a function over 80 fail
 * the check, tests are not counted, an allow-listed offender passes, and an allow-list entry that
 * no longer offends fails (the list can only shrink). The last case runs it on the repository.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

jest.setTimeout(30_000);

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'check-size.mjs');

/** A function declaration spanning exactly `lines` lines. */
const functionOf = (name: string, lines: number): string =>
  [`export function ${name}(): void {`, ...Array.from({ length: lines - 2 }, () => '  void 0;'), '}'].join(
    '\n',
  );

/** Runs the check on a tree of `files` (path → content); its exit status and output. */
function check(files: Record<string, string>): { status: number | null; output: string } {
  const root = mkdtempSync(join(tmpdir(), 'wharf-size-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    mkdirSync(join(root, 'packages'), { recursive: true });
    mkdirSync(join(root, 'services'), { recursive: true });
    const run = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8', timeout: 20_000 });
    return { status: run.status, output: run.stdout + run.stderr };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('check-size', () => {
  it('passes functions of 80 lines and files of 400', () => {
    // 80 lines of function, then 320 more: 400 lines, each ending in a newline.
    const body = functionOf('fits', 80) + '\n' + 'export {};\n'.repeat(320);
    expect(check({ 'packages/a/src/a.ts': body }).status).toBe(0);
  });

  it('fails a function of 81 lines, naming it', () => {
    const result = check({ 'services/b/src/b.ts': functionOf('tooLong', 81) + '\n' });
    expect(result.status).toBe(1);
    expect(result.output).toContain('services/b/src/b.ts:1 tooLong: 81 lines');
  });

  it('fails a file of 401 lines and an arrow function or method over 80', () => {
    const arrow = `export const arrow = () => {\n${'  void 0;\n'.repeat(80)}};\n`;
    const method = `export class C {\n  m(): void {\n${'    void 0;\n'.repeat(80)}  }\n}\n`;
    const result = check({
      'packages/a/src/long.ts': 'export {};\n'.repeat(401),
      'packages/a/src/arrow.ts': arrow,
      'packages/a/src/method.ts': method,
    });
    expect(result.status).toBe(1);
    expect(result.output).toContain('packages/a/src/long.ts: 401 lines');
    expect(result.output).toContain('arrow: 82 lines');
    expect(result.output).toContain('C.m: 82 lines');
  });

  it('does not count tests', () => {
    expect(check({ 'packages/a/src/a.test.ts': 'export {};\n'.repeat(500) }).status).toBe(0);
  });

  it('tolerates allow-listed offenders and fails on a stale allow-list entry', () => {
    const offender = { 'services/b/src/b.ts': functionOf('tooLong', 81) + '\n' };
    const allow = (allowed: string[]): string => JSON.stringify({ allowed });
    expect(
      check({ ...offender, 'scripts/size-allowlist.json': allow(['services/b/src/b.ts#tooLong']) }).status,
    ).toBe(0);
    const stale = check({ 'scripts/size-allowlist.json': allow(['services/b/src/b.ts#tooLong']) });
    expect(stale.status).toBe(1);
    expect(stale.output).toContain('no longer offends');
  });

  it('passes on the repository', () => {
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
