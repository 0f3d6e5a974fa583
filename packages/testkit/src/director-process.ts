/**
 * The real `wharf-director` process (its built `main.js`) on a test's ZooKeeper and chroot, on
 * free ports, started the way the runner starts it; resolves once its `/health` answers 200.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { freePort } from '@wharf/supervise';
import { waitFor } from './wait-for';

/** The built director, from this package's `dist/` or `src/` alike. */
const DIRECTOR_MAIN = resolve(__dirname, '..', '..', '..', 'services', 'director', 'dist', 'main.js');

/** A running director process. */
export interface DirectorProcess {
  readonly child: ChildProcess;
  /** `https://127.0.0.1:<port>` of the enrolment endpoint. */
  readonly url: string;
  /** `http://127.0.0.1:<port>` of `/metrics` and `/health`. */
  readonly metricsUrl: string;
  /** SIGTERM, resolved once it exited. Idempotent. */
  stop(): Promise<void>;
}

/** Starts `wharf-director` with WHARF_HOME `<home>/director`, id `director-1`, and `env` on top. */
export async function startDirectorProcess(options: {
  readonly zk: { readonly connectString: string; readonly chroot: string };
  readonly home: string;
  readonly env?: Readonly<Record<string, string>>;
}): Promise<DirectorProcess> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [DIRECTOR_MAIN], {
    env: {
      ...process.env,
      WHARF_ZK: options.zk.connectString,
      WHARF_ZK_CHROOT: options.zk.chroot,
      WHARF_HOME: join(options.home, 'director'),
      WHARF_ID: 'director-1',
      WHARF_DIRECTOR_PORT: String(port),
      WHARF_METRICS_PORT: String(metricsPort),
      WHARF_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: 'ignore',
  });
  const metricsUrl = `http://127.0.0.1:${metricsPort}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(async () => (await fetch(`${metricsUrl}/health`).catch(() => undefined))?.status === 200, {
      timeoutMs: 30_000,
      message: 'director healthy',
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, url: `https://127.0.0.1:${port}`, metricsUrl, stop };
}
