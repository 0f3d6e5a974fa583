/**
 * A Wharf platform in Docker mode, started the way a user does: `wharf up --detach --mode docker`
 * on free ports in a throwaway WHARF_HOME. It runs an embedded ZooKeeper and one `wharf-runner`
 * per simulated host; every service the runners start is a `wharf/<svc>:0.1.0` container (host
 * networking), and the allocators run their instances as containers through the engine socket.
 * Hosts (default layout): <p>host-1 (127.0.0.1, zone-a) and <p>host-2 (127.0.0.2, zone-b)
 * coordinator + proxy + allocator, <p>host-3 (127.0.0.3, zone-c) allocator. The host-id prefix is
 * random per run, so concurrent runs on one engine never touch each other's containers.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startPlatform, type Platform } from './platform';

const run = promisify(execFile);

/** One simulated host. */
export interface DockerHost {
  id: string;
  zone: string;
  roles: string[];
  /** Pid of its runner (a process; its services are containers). */
  runnerPid: number;
}

/** A Docker-mode platform (a {@link Platform} plus Docker helpers). */
export interface DockerPlatform extends Platform {
  hosts: DockerHost[];
  /** The host-id prefix of this run (`d1a2b3-`). */
  prefix: string;
  proxyPort: number;
  /** `docker ps` rows (`id name labels`) matching every label filter given. */
  ps: (
    filters: string[],
    all?: boolean,
  ) => Promise<{ id: string; name: string; labels: Record<string, string> }[]>;
}

/** `docker <args>`; stdout. */
export async function docker(args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export async function dockerPs(filters: string[], all = false) {
  const out = await docker([
    'ps',
    ...(all ? ['-a'] : []),
    '--no-trunc',
    ...filters.flatMap((f) => ['--filter', `label=${f}`]),
    '--format',
    '{{.ID}}\t{{.Names}}\t{{.Labels}}',
  ]);
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [id, name, labels] = line.split('\t');
      return {
        id: id!,
        name: name!,
        labels: Object.fromEntries(
          (labels ?? '').split(',').map((kv) => {
            const i = kv.indexOf('=');
            return [kv.slice(0, i), kv.slice(i + 1)];
          }),
        ),
      };
    });
}

/** Force-removes every container carrying `label` (`k=v`). */
export async function removeByLabel(label: string): Promise<void> {
  const ids = (await docker(['ps', '-aq', '--filter', `label=${label}`])).split('\n').filter(Boolean);
  if (ids.length > 0) await docker(['rm', '-f', ...ids]).catch(() => undefined);
}

/** Removes what runners of these hosts (and their allocators) left. */
export async function cleanupHosts(hostIds: string[]): Promise<void> {
  for (const host of hostIds) {
    await removeByLabel(`wharf.runner=${host}`);
    await removeByLabel(`wharf.allocator=allocator-${host}`);
  }
}

/** Starts the platform with `wharf up --detach --mode docker`. */
export async function startDockerPlatform(): Promise<DockerPlatform> {
  const prefix = `d${Math.random().toString(16).slice(2, 8)}-`;
  const hostIds = [1, 2, 3].map((n) => `${prefix}host-${n}`);
  const platform = await startPlatform({
    upArgs: ['--mode', 'docker', '--host-prefix', prefix, '--ports-per-allocator', '100', '--timeout', '120'],
    // Below the kernel's ephemeral range, and clear of the process-mode e2e's block.
    portBase: 20_000 + Math.floor(Math.random() * 30) * 300,
    timeoutMs: 150_000,
    cleanup: () => cleanupHosts(hostIds),
  });
  const roles: Record<string, string[]> = {
    [hostIds[0]!]: ['coordinator', 'proxy', 'allocator', 'director'],
    [hostIds[1]!]: ['coordinator', 'proxy', 'allocator'],
    [hostIds[2]!]: ['allocator'],
  };
  const hosts: DockerHost[] = (await platform.services())
    .filter((s) => s.service === 'runner')
    .map((s) => ({
      id: s.host as string,
      zone: s.zone as string,
      roles: roles[s.host as string]!,
      runnerPid: s.pid,
    }));
  return { ...platform, hosts, prefix, proxyPort: platform.proxyPorts[0]!, ps: dockerPs };
}
