/**
 * The `wharf-constructor` binary (built `dist/main.js`): `--help`, configuration errors, and a
 * real start against ZooKeeper — registered, leading — then a graceful SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { useZooKeeper, waitFor } from '@wharf/testkit';

jest.setTimeout(60_000);

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const fixture = useZooKeeper();

interface Run {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

function run(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

describe('wharf-constructor', () => {
  it('prints its configuration with --help and exits 0', async () => {
    const r = run(['--help'], {});
    expect(await r.exited).toBe(0);
    for (const name of ['WHARF_ZK', 'WHARF_ZK_CHROOT', 'WHARF_ID', 'WHARF_METRICS_PORT', 'WHARF_LOG_LEVEL']) {
      expect(r.output()).toContain(name);
    }
  });

  it('refuses a bad configuration with exit code 1', async () => {
    const r = run([], { WHARF_ID: 'Not Valid', WHARF_LOG_LEVEL: 'loud' });
    expect(await r.exited).toBe(1);
    expect(r.output()).toContain('WHARF_ID');
  });

  it('exits 0 on a SIGTERM that arrives while it is still starting', async () => {
    const r = run([], {
      WHARF_ZK: fixture.connectString,
      WHARF_ZK_CHROOT: fixture.chroot,
      WHARF_ID: 'c-early',
    });
    await new Promise((resolve) => r.child.stdout?.once('data', resolve)); // first log line: handlers are in
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  });

  it('starts, registers, leads, and stops cleanly on SIGTERM', async () => {
    const zk = await fixture.session();
    const r = run([], {
      WHARF_ZK: fixture.connectString,
      WHARF_ZK_CHROOT: fixture.chroot,
      WHARF_ID: 'c-main',
      WHARF_LOG_LEVEL: 'warn',
    });
    try {
      await waitFor(async () => (await zk.exists('/services/constructor/c-main')) !== null, {
        timeoutMs: 20_000,
        message: 'constructor registered',
      });
      await waitFor(async () => (await zk.children('/constructors/leader')).length === 1, {
        timeoutMs: 20_000,
        message: 'constructor in the leader election',
      });
      r.child.kill('SIGTERM');
      expect(await r.exited).toBe(0);
      expect(await zk.exists('/services/constructor/c-main')).toBeNull();
      expect(await zk.children('/constructors/leader')).toEqual([]);
    } finally {
      r.child.kill('SIGKILL');
    }
  });
});
