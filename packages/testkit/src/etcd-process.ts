import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePorts } from '@wharf/supervise';
import { waitFor } from './wait-for';

/** A single-member etcd started by {@link startEtcdProcess}. */
export interface EtcdProcess {
  readonly proc: ChildProcess;
  /** Its client URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Its client port. */
  readonly port: number;
}

/**
 * Starts Debian's etcd as a single-member cluster `name` with its data in `<dir>/<name>`, on free
 * loopback ports, and resolves once `/health` says true (20 s at most). The caller kills `proc`.
 */
export async function startEtcdProcess(
  dir: string,
  name: string,
  extraArgs: string[] = [],
): Promise<EtcdProcess> {
  const [port, peer] = await freePorts(2);
  const url = `http://127.0.0.1:${port!}`;
  const peerUrl = `http://127.0.0.1:${peer!}`;
  const proc = spawn(
    '/usr/bin/etcd',
    [
      `--name=${name}`,
      `--data-dir=${join(dir, name)}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=${name}=${peerUrl}`,
      ...extraArgs,
    ],
    { stdio: 'ignore' },
  );
  const healthy = async (): Promise<boolean> => {
    const res = await fetch(`${url}/health`).catch(() => undefined);
    return res?.ok === true && ((await res.json()) as { health?: string }).health === 'true';
  };
  await waitFor(healthy, { timeoutMs: 20_000, message: `etcd ${name} healthy` });
  return { proc, url, port: port! };
}
