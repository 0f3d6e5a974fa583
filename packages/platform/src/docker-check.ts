/**
 * Before `wharf up --mode docker` starts anything: the engine must answer on its socket and every
 * service image the runners will start must be there (nothing can be pulled here; the images are
 * built locally by docker/build.sh). Fails with the command that fixes it.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { WharfError } from '@wharf/model';

/** The engine socket (DOCKER_HOST=unix://… overrides it, as for the docker CLI). */
export function dockerSocketPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const host = env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

/** The services a runner starts as `wharf/<svc>:<version>` containers. */
export const SERVICE_IMAGES = ['api', 'constructor', 'allocator', 'proxy'] as const;

/** The `version` of the package whose entry point is `<dir>/dist/main.js`. */
export function packageVersion(entry: string): string {
  const pkg = JSON.parse(readFileSync(join(dirname(dirname(entry)), 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** Throws `WHARF_UNAVAILABLE` (no engine) or `WHARF_NOT_FOUND` (images missing). */
export async function checkDockerReady(version: string, socketPath = dockerSocketPath()): Promise<void> {
  const ping = await engineGet(socketPath, '/_ping');
  if (ping !== 200) {
    throw new WharfError('WHARF_UNAVAILABLE', `the Docker engine does not answer at ${socketPath}`, {
      details: [{ path: socketPath, message: 'start it with: bash scripts/ensure-docker.sh' }],
    });
  }
  const missing: string[] = [];
  for (const service of SERVICE_IMAGES) {
    const image = `wharf/${service}:${version}`;
    if ((await engineGet(socketPath, `/images/${image}/json`)) !== 200) missing.push(image);
  }
  if (missing.length > 0) {
    throw new WharfError('WHARF_NOT_FOUND', `images missing: ${missing.join(', ')}`, {
      details: missing.map((image) => ({ path: image, message: 'build them with: bash docker/build.sh' })),
    });
  }
}

/** Status code of `GET path` on the engine, or 0 when it does not answer within 3 s. */
function engineGet(socketPath: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path, method: 'GET', timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}
