/**
 * The `wharf-api` binary as a user runs it (compiled `dist/main.js`): `--help`, bad
 * configuration, and a real start that prints the key once to stdout and stops on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { freePort, startZooKeeper, tempDir, waitFor, type TempDir, type TestZooKeeper } from '@wharf/testkit';

jest.setTimeout(30_000);

const MAIN = resolve(__dirname, '..', 'dist', 'main.js');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  return { child, stdout: () => out, exited };
}

describe('wharf-api binary', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`build first: npx tsc -b services/api (missing ${MAIN})`);
  });

  it('--help prints the variables and exits 0', async () => {
    const r = run(['--help'], {});
    expect(await r.exited).toBe(0);
    for (const name of ['WHARF_ZK', 'WHARF_HOME', 'WHARF_API_PORT', 'WHARF_PUBLIC_PROXY_URL'])
      expect(r.stdout()).toContain(name);
  });

  it('exits 2 on a bad variable or argument', async () => {
    expect(await run([], { WHARF_API_PORT: 'http' }).exited).toBe(2);
    expect(await run(['--port'], {}).exited).toBe(2);
  });

  describe('a real start', () => {
    let server: TestZooKeeper;
    let home: TempDir;
    let api: Run | undefined;

    beforeAll(async () => {
      server = await startZooKeeper();
      home = await tempDir('wharf-api-main');
    }, 60_000);

    afterAll(async () => {
      api?.child.kill('SIGKILL');
      await server?.close();
      await home?.cleanup();
    });

    it('serves, prints the key once to stdout (and never logs it), and stops cleanly on SIGTERM', async () => {
      const port = await freePort();
      api = run([], {
        WHARF_ZK: server.connectString,
        WHARF_HOME: home.path,
        WHARF_API_PORT: String(port),
        WHARF_LOG_LEVEL: 'debug',
      });
      const key = await waitFor(async () =>
        (await readFile(join(home.path, 'credentials', 'api-key'), 'utf8').catch(() => '')).trim(),
      );
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${port}/api/v1/health`).catch(() => undefined))?.ok,
      );
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/platform`, {
        headers: { authorization: `ApiKey ${key}` },
      });
      expect(res.status).toBe(200);
      expect(api.stdout().split(key).length - 1).toBe(1);
      const keyLines = api
        .stdout()
        .split('\n')
        .filter((l) => l.includes(key));
      expect(keyLines.every((l) => !l.startsWith('{'))).toBe(true);

      api.child.kill('SIGTERM');
      expect(await api.exited).toBe(0);
    });
  });
});
