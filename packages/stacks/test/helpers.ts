/**
 * Helpers for the stacks integration tests: free loopback ports, temp dirs, leftover-process
 * checks, and real etcd members run through a ProcessRuntime.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ContainerRuntime, ProcessRuntime } from '@wharf/runtime';
import { type ClusterInfo, getStackPack, type MemberEndpoint } from '../src';

/** `count` distinct free TCP ports on 127.0.0.1 (held open together, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      servers.push(server);
    }
    return servers.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** A fresh temp directory (real path). */
export async function tempDir(prefix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await realpath(await mkdtemp(join(tmpdir(), `wharf-${prefix}-`)));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Pids of live processes whose command line mentions `needle` (e.g. a test's temp dir). */
export function pidsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) pids.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/** Milliseconds since `start`, rounded. */
export function since(start: number): number {
  return Math.round(Date.now() - start);
}

/**
 * Creates and starts one etcd member of `deploymentId` through `runtime`, the way an allocator
 * would: the pack's command, labels, a data dir under `rootPath`, 256 MB.
 */
export async function startEtcdMember(
  runtime: ContainerRuntime,
  rootPath: string,
  deploymentId: string,
  member: MemberEndpoint,
  cluster: ClusterInfo,
): Promise<void> {
  const pack = getStackPack('etcd');
  const dataDir = `${rootPath}/data/${member.name}`;
  const view = runtime.containerView(dataDir, member.host);
  const command = pack.command({
    instanceId: member.name,
    deploymentId,
    version: '3.4',
    host: member.host,
    bindHost: view.bindHost,
    ports: member.ports,
    dataDir: view.dataDir,
    memoryMb: 256,
    settings: {},
    cluster,
  });
  const created = await runtime.create({
    name: member.name,
    labels: {
      'wharf.deployment': deploymentId,
      'wharf.instance': member.name,
      'wharf.allocator': 'alloc-test',
    },
    argv: command.argv,
    env: command.env,
    ...(command.image ? { image: command.image } : {}),
    dataDir,
    memoryMb: 256,
    hostAddress: member.host,
    ports: member.ports,
  });
  await runtime.start(created.id);
}

/** What {@link useEtcdMembers} gives a test: valid from its `beforeAll` on. */
export interface EtcdMembers {
  /** The ProcessRuntime the members run in. */
  readonly runtime: ContainerRuntime;
  /** The test's temp directory (runtime state, data dirs). */
  readonly rootPath: string;
  /** Starts `member` of `cluster` (of `deploymentId`, the suite's by default) through the runtime. */
  start(member: MemberEndpoint, cluster: ClusterInfo, deploymentId?: string): Promise<void>;
  /** `count` members `<deployment>-main-<i>` on 127.0.0.1, each with a free client and peer port. */
  endpoints(count: number): Promise<MemberEndpoint[]>;
}

/**
 * Registers `beforeAll`/`afterAll` for a suite of real etcd members run through a ProcessRuntime
 * in a temp dir: afterwards every container is removed and no process may still mention the dir.
 */
export function useEtcdMembers(deploymentId: string, prefix: string): EtcdMembers {
  let root: { path: string; cleanup: () => Promise<void> } | undefined;
  let runtime: ContainerRuntime | undefined;
  beforeAll(async () => {
    root = await tempDir(prefix);
    runtime = new ProcessRuntime({ rootDir: `${root.path}/runtime`, stopTimeoutMs: 5_000 });
    await runtime.open();
  });
  afterAll(async () => {
    if (runtime) {
      for (const c of await runtime.list({})) await runtime.remove(c.id, { force: true });
      await runtime.close();
    }
    if (!root) return;
    const leftovers = pidsMentioning(root.path);
    await root.cleanup();
    expect(leftovers).toEqual([]);
  });
  const started = (): { runtime: ContainerRuntime; rootPath: string } => {
    if (!root || !runtime) throw new Error('useEtcdMembers: used before its beforeAll ran');
    return { runtime, rootPath: root.path };
  };
  return {
    get runtime() {
      return started().runtime;
    },
    get rootPath() {
      return started().rootPath;
    },
    start: (member, cluster, deployment = deploymentId) =>
      startEtcdMember(started().runtime, started().rootPath, deployment, member, cluster),
    endpoints: async (count) => {
      const ports = await freePorts(2 * count);
      return Array.from({ length: count }, (_, i) => ({
        name: `${deploymentId}-main-${i}`,
        host: '127.0.0.1',
        ports: { client: ports[2 * i]!, peer: ports[2 * i + 1]! },
      }));
    },
  };
}
