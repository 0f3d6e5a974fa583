/**
 * A Wharf platform in Docker mode: an embedded ZooKeeper on a free port, and one `wharf-runner`
 * child process per simulated host with `WHARF_RUNNER_MODE=docker`. Every service the runners
 * start is a `wharf/<svc>:0.1.0` container (host networking); the allocators run their instances
 * as containers through the engine socket. host-1: coordinator + proxy; host-2/3/4: allocator in
 * zone-a/b/c. Roles are seeded as host registrations before the runners start (a runner keeps
 * the roles of an existing registration), so no roles token is needed.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { paths, serializeDocument, type HostRole } from '@wharf/model';
import { freePort, startZooKeeper, tempDir, type TestZooKeeper } from '@wharf/testkit';
import { ZkSession } from '@wharf/zk';
import { proxyRequest, type Platform } from './platform';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..');
const RUNNER = join(ROOT, 'services', 'runner', 'dist', 'main.js');
const CHROOT = '/wharf';

/** One simulated host. */
export interface DockerHost {
  id: string;
  zone: string;
  roles: HostRole[];
  portRange: string;
  runner?: ChildProcess;
}

/** A Docker-mode platform (a {@link Platform} plus Docker helpers). */
export interface DockerPlatform extends Platform {
  hosts: DockerHost[];
  zk: TestZooKeeper;
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

function startRunner(host: DockerHost, env: Record<string, string>, home: string): ChildProcess {
  const logDir = join(home, 'runner-logs');
  mkdirSync(logDir, { recursive: true });
  const fd = openSync(join(logDir, `${host.id}.log`), 'a');
  try {
    return spawn(process.execPath, [RUNNER], {
      env: {
        ...process.env,
        ...env,
        WHARF_HOST_ID: host.id,
        WHARF_ZONE: host.zone,
        WHARF_PORT_RANGE: host.portRange,
      },
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
}

async function until<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts ZooKeeper, seeds the 4 host registrations and starts 4 docker-mode runners. */
export async function startDockerPlatform(): Promise<DockerPlatform> {
  const dir = await tempDir('wharf-docker-e2e');
  const home = dir.path;
  const zk = await startZooKeeper({ tickTimeMs: 500 });
  const apiPort = await freePort();
  const proxyPort = await freePort();
  const base = 20_000 + Math.floor(Math.random() * 30) * 300;
  const hosts: DockerHost[] = [
    { id: 'host-1', zone: 'zone-a', roles: ['coordinator', 'proxy'], portRange: `${base}-${base + 9}` },
    { id: 'host-2', zone: 'zone-a', roles: ['allocator'], portRange: `${base + 100}-${base + 199}` },
    { id: 'host-3', zone: 'zone-b', roles: ['allocator'], portRange: `${base + 200}-${base + 299}` },
    { id: 'host-4', zone: 'zone-c', roles: ['allocator'], portRange: `${base + 300}-${base + 399}` },
  ];
  await cleanupHosts(hosts.map((h) => h.id));
  // Seed the registrations with their roles; the runners keep them.
  const session = new ZkSession({ connectString: zk.connectString, chroot: CHROOT });
  await session.start();
  await session.mkdirp(paths.hosts());
  for (const h of hosts) {
    await session.create(
      paths.host(h.id),
      serializeDocument('host-registration', {
        schema_version: 1,
        id: h.id,
        address: '127.0.0.1',
        zone: h.zone,
        roles: h.roles,
        runtime: 'docker',
        version: '0.1.0',
        started: new Date().toISOString(),
      }),
    );
  }
  await session.close();
  const env = {
    WHARF_RUNNER_MODE: 'docker',
    WHARF_ZK: zk.connectString,
    WHARF_ZK_CHROOT: CHROOT,
    WHARF_HOME: home,
    WHARF_HOST_ADDRESS: '127.0.0.1',
    WHARF_API_PORT: String(apiPort),
    WHARF_PROXY_PORT: String(proxyPort),
    WHARF_LOG_LEVEL: 'info',
  };
  for (const h of hosts) h.runner = startRunner(h, env, home);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const stopAll = async () => {
    await Promise.all(
      hosts.map(
        (h) =>
          new Promise<void>((r) => {
            const child = h.runner;
            if (!child || child.exitCode !== null || child.signalCode !== null) return r();
            const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
            child.once('exit', () => {
              clearTimeout(timer);
              r();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await cleanupHosts(hosts.map((h) => h.id));
    await zk.close();
  };
  const apiKey = await until(
    async () => {
      const key = (await readFile(join(home, 'hosts', 'host-1', 'credentials', 'api-key'), 'utf8')).trim();
      const res = await fetch(`${apiUrl}/api/v1/deployments`, {
        headers: { authorization: `ApiKey ${key}` },
      });
      return res.status === 200 ? key : undefined;
    },
    90_000,
    'the api container to serve with its key',
  ).catch(async (err: unknown) => {
    await stopAll();
    throw err;
  });

  const platform: DockerPlatform = {
    home,
    apiUrl,
    apiKey,
    proxyPorts: [proxyPort],
    proxyPort,
    zkPort: zk.port,
    hosts,
    zk,
    ps: dockerPs,
    services: async () => [],
    api: async (method, path, body) => {
      const res = await fetch(`${apiUrl}/api/v1${path}`, {
        method,
        headers: {
          authorization: `ApiKey ${apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
    proxy: (deploymentId, method, path, body, port = proxyPort) =>
      proxyRequest(port, deploymentId, method, path, body),
    cli: () => Promise.reject(new Error('no cli in the docker platform')),
    down: async () => {
      await stopAll();
      await dir.cleanup();
    },
  };
  return platform;
}
