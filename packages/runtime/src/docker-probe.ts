/**
 * Questions asked before choosing a runtime (`WHARF_RUNTIME=auto`): does an engine answer, and
 * are the images a stack catalog needs present locally (the runtime never pulls)?
 */
import Dockerode from 'dockerode';
import { isNotFound } from './docker-errors';

/** Default wait for the engine's `_ping`: a local engine answers in milliseconds. */
export const DEFAULT_ENGINE_PROBE_TIMEOUT_MS = 1_000;

/** What the probes may be given. */
export interface DockerProbeOptions {
  /** Engine client; default a new dockerode client (default socket, or `DOCKER_HOST`). */
  docker?: Dockerode;
  timeoutMs?: number;
}

/**
 * True when a Docker engine answers a ping within the timeout and holds every image of `images`
 * (none given: just the ping). Never throws.
 */
export async function dockerEngineReady(
  images: readonly string[] = [],
  options: DockerProbeOptions = {},
): Promise<boolean> {
  const docker =
    options.docker ?? new Dockerode({ timeout: options.timeoutMs ?? DEFAULT_ENGINE_PROBE_TIMEOUT_MS });
  const timeoutMs = options.timeoutMs ?? DEFAULT_ENGINE_PROBE_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const check = (async (): Promise<boolean> => {
    await docker.ping();
    const present = await Promise.all(images.map((image) => imageExists(docker, image)));
    return present.every(Boolean);
  })().catch(() => false);
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
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
