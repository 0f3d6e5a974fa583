/**
 * Questions asked before choosing a runtime (`WHARF_RUNTIME=auto`): does an engine answer, and
 * are the images a stack catalog needs present locally (the runtime never pulls)?
 */
import type Dockerode from 'dockerode';
import { isNotFound } from './docker-errors';
import { newDockerClient } from './dockerode-client';

/** Default wait for the engine's `_ping`: a local engine answers in milliseconds. */
export const DEFAULT_ENGINE_PROBE_TIMEOUT_MS = 1_000;

/** What the probes may be given. */
export interface DockerProbeOptions {
  /** Engine client; default a new dockerode client (its modem reads `DOCKER_HOST`, else the default socket). */
  docker?: Dockerode;
  timeoutMs?: number;
  /**
   * Told why the answer is what it is, in words fit for a log line (e.g. `no engine answered
   * within 1000 ms: connect ENOENT /var/run/docker.sock`, `image wharf/etcd:3.4 is missing`).
   */
  onReason?: (reason: string) => void;
}

/**
 * True when a Docker engine answers a ping within the timeout and holds every image of `images`
 * (none given: just the ping). Never throws.
 */
export async function dockerEngineReady(
  images: readonly string[] = [],
  options: DockerProbeOptions = {},
): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_ENGINE_PROBE_TIMEOUT_MS;
  const docker = options.docker ?? newDockerClient({ timeout: timeoutMs });
  const where = engineAddress(docker);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ready: boolean; reason: string }>((resolve) => {
    timer = setTimeout(
      () => resolve({ ready: false, reason: `no engine answered at ${where} within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  const check = (async (): Promise<{ ready: boolean; reason: string }> => {
    try {
      await docker.ping();
    } catch (err) {
      return { ready: false, reason: `no engine answered at ${where}: ${messageOf(err)}` };
    }
    const present = await Promise.all(images.map((image) => imageExists(docker, image)));
    const missing = images.filter((_, i) => !present[i]);
    if (missing.length > 0) {
      return { ready: false, reason: `the engine at ${where} answered but lacks ${missing.join(', ')}` };
    }
    const holding = images.length === 0 ? '' : ` and holds ${images.join(', ')}`;
    return { ready: true, reason: `the engine at ${where} answered${holding}` };
  })().catch((err: unknown) => ({ ready: false, reason: `engine check failed: ${messageOf(err)}` }));
  try {
    const verdict = await Promise.race([check, timeout]);
    options.onReason?.(verdict.reason);
    return verdict.ready;
  } finally {
    clearTimeout(timer);
  }
}

/** Where the client's modem connects (it resolved `DOCKER_HOST` or the default socket itself). */
function engineAddress(docker: Dockerode): string {
  const modem = docker.modem as {
    socketPath?: string;
    host?: string;
    port?: number | string;
    protocol?: string;
  };
  if (modem.socketPath) return `unix://${modem.socketPath}`;
  return `${modem.protocol ?? 'http'}://${modem.host ?? 'localhost'}${modem.port ? `:${modem.port}` : ''}`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function imageExists(docker: Dockerode, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
