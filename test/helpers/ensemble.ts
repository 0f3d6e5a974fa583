/**
 * Helpers for e2e tests of the directors' ZooKeeper ensemble (`wharf up --directors 3`): find a
 * member's JVM from /proc, kill it and time how long until the ensemble takes writes again.
 */
import { readdir, readFile } from 'node:fs/promises';
import { freePorts } from '@wharf/testkit';
import { ZkSession, type ZkTlsOptions, readEnsembleConfig, servingMembers } from '@wharf/zk';
import { eventually } from './plans';
import { type Platform, startPlatform } from './platform';

/** How long {@link startThreeDirectors} may take: three JVMs and a quorum on a loaded box. */
export const THREE_DIRECTORS_START_MS = 160_000;

/** `wharf up --directors 3` on free quorum and election ports (a `beforeAll` of {@link THREE_DIRECTORS_START_MS}). */
export async function startThreeDirectors(): Promise<Platform> {
  const [quorum, election] = await freePorts(2);
  return startPlatform({
    upArgs: ['--directors', '3', '--zk-peer-ports', `${quorum},${election}`, '--timeout', '120'],
    timeoutMs: 150_000,
  });
}

/** The ZooKeeper JVM of `hostId`'s director member in the platform at `home`, and its parent. */
export async function memberJvm(home: string, hostId: string): Promise<{ pid: number; ppid: number }> {
  const cfg = `${home}/hosts/${hostId}/director/zookeeper/zoo.cfg`;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes('QuorumPeerMain') || !cmdline.split('\0').includes(cfg)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return { pid: Number(entry), ppid };
  }
  throw new Error(`no zookeeper process for ${cfg}`);
}

/** Pids of the ZooKeeper JVMs of the platform at `home`. */
export async function zookeepersOf(home: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('QuorumPeerMain') && cmdline.includes(`${home}/`)) pids.push(Number(entry));
  }
  return pids;
}

/**
 * SIGKILLs the member JVM `pid` and returns the seconds until `session` (connected to every
 * member) creates a node again, retrying every 50 ms for up to 30 s.
 */
export async function secondsUntilWritesAfterKill(session: ZkSession, pid: number): Promise<number> {
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  let n = 0;
  await eventually(
    () => session.create(`/wharf-e2e-write-${(n += 1)}-${Date.now()}`, 'x').then(() => true),
    30_000,
    'a ZooKeeper write after the leader kill',
    50,
  );
  return (Date.now() - killedAt) / 1000;
}

/**
 * The platform's ZooKeeper server process and data directory, whoever runs it: director 1's
 * member (the default `wharf up`, or `--directors 3`), else `wharf up`'s own (`--directors 0`),
 * recorded in platform.json as `zookeeper`.
 */
export async function zookeeperServer(
  home: string,
  services: readonly { id: string; service: string; pid: number }[],
): Promise<{ pid: number; dataDir: string }> {
  const own = services.find((s) => s.service === 'zookeeper');
  if (own !== undefined) return { pid: own.pid, dataDir: `${home}/zookeeper` };
  return { pid: (await memberJvm(home, 'host-1')).pid, dataDir: `${home}/hosts/host-1/director/zookeeper` };
}

/** The voters' ids of the ensemble reached through `connectString`, in id order. */
export async function voterIds(connectString: string, tls?: ZkTlsOptions): Promise<number[]> {
  const config = await readEnsembleConfig(connectString, tls);
  return config.servers
    .filter((s) => (s.role ?? 'participant') === 'participant')
    .map((s) => s.id)
    .sort((a, b) => a - b);
}

/** Ids of the members that serve as leader or follower now (`srvr` to each listed member). */
export async function servingIds(connectString: string, tls?: ZkTlsOptions): Promise<number[]> {
  const config = await readEnsembleConfig(connectString, tls);
  return [...(await servingMembers(config.servers, tls))].sort((a, b) => a - b);
}

/** Creates `path` through a session on `writeAt` and reads it back through one on `readAt`. */
export async function writeThenRead(
  writeAt: string,
  readAt: string,
  path: string,
  tls?: ZkTlsOptions,
): Promise<string> {
  // Pinned: the point is which member each side talks to, so neither follows the membership.
  const pin = { followEnsemble: false, ...(tls === undefined ? {} : { tls }) };
  const writer = new ZkSession({ connectString: writeAt, ...pin });
  const reader = new ZkSession({ connectString: readAt, ...pin });
  try {
    await writer.start();
    await writer.create(path, 'grown');
    await reader.start();
    // A follower may lag the leader by a commit: read until it has the node.
    return await eventually(
      async () =>
        (await reader.exists(path)) === null ? undefined : (await reader.get(path)).data.toString(),
      10_000,
      `${path} through ${readAt}`,
      50,
    );
  } finally {
    await writer.close();
    await reader.close();
  }
}
