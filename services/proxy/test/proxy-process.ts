/** The proxy binary as a child process, for tests that need its real process model (workers). */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, waitFor, type ZooKeeperFixture } from '@wharf/testkit';

const MAIN = join(__dirname, '..', 'dist', 'main.js');

/** One JSON log line of the proxy. */
export interface LogLine {
  message: string;
  pid?: number;
  [key: string]: unknown;
}

export interface ProxyProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Every JSON line the proxy has printed so far. */
  readonly logs: LogLine[];
}

/** A set of child processes that are SIGKILLed (and awaited) after each test. */
export function useChildren(): Set<ChildProcess> {
  const children = new Set<ChildProcess>();
  afterEach(async () => {
    await Promise.all(
      [...children].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }),
    );
    children.clear();
  });
  return children;
}

/** Starts the proxy binary on a free port; resolves once it logs `proxy listening`. */
export async function startProxyProcess(
  zk: ZooKeeperFixture,
  children: Set<ChildProcess>,
  env: Record<string, string>,
): Promise<ProxyProcess> {
  const port = await freePort();
  const logs: LogLine[] = [];
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      WHARF_ZK: zk.connectString,
      WHARF_ZK_CHROOT: zk.chroot,
      WHARF_PROXY_PORT: String(port),
      WHARF_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr!.resume();
  await waitFor(() => logs.some((l) => l.message === 'proxy listening'), {
    timeoutMs: 30_000,
    message: 'proxy listening',
  });
  return { child, port, logs };
}
