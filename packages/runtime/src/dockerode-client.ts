/**
 * The Docker engine client, loaded on first use. Why lazily: every service imports this package
 * for its process runtime too, and dockerode brings ~200 modules (docker-modem, ssh2, gRPC for
 * BuildKit) that cost a process-mode service ~7 MB of RSS it never uses (docs/benchmarks.md,
 * "Control-plane memory"). Types come from a type-only import, which compiles to nothing.
 */
import { createRequire } from 'node:module';
import type Dockerode from 'dockerode';

const load = createRequire(__filename);
let ctor: typeof Dockerode | undefined;

/** A new engine client with `options` (dockerode's: socket, `DOCKER_HOST`, timeout). */
export function newDockerClient(options?: Dockerode.DockerOptions): Dockerode {
  ctor ??= load('dockerode') as typeof Dockerode;
  return new ctor(options);
}
