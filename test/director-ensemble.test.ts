/**
 * End to end with three directors (`wharf up --directors 3`): no ZooKeeper of `wharf up`'s own,
 * each director host's director runs its ZooKeeper ensemble member (the JVM is the director's
 * child), every service connects to the three servers. The ZooKeeper leader is SIGKILLed right
 * after a deployment's plan is written: writes resume within seconds (the figure is printed),
 * that plan completes and its deployment serves through a proxy, the deployment made before
 * keeps its data, and the killed server comes back — restarted by its director — as a follower.
 */
import { ZkSession, fourLetterWord, readEnsembleConfig } from '@wharf/zk';
import {
  THREE_DIRECTORS_START_MS,
  memberJvm,
  secondsUntilWritesAfterKill,
  startThreeDirectors,
  zookeepersOf,
} from './helpers/ensemble';
import { type Platform } from './helpers/platform';
import { etcdGetViaProxy, etcdPlan, etcdPutViaProxy, eventually, waitForPlan } from './helpers/plans';

jest.setTimeout(180_000);

/** The three members' client addresses: host n's own loopback address, one shared port. */
const members = (port: number) => [1, 2, 3].map((n) => ({ host: `127.0.0.${n}`, port }));

async function mode(host: string, port: number): Promise<string | null> {
  const srvr = await fourLetterWord(host, port, 'srvr', 1000);
  return /Mode: (\w+)/.exec(srvr ?? '')?.[1] ?? null;
}

describe('three directors run the ZooKeeper ensemble (wharf up --directors 3)', () => {
  let platform: Platform;
  let zkPort: number;
  let session: ZkSession | undefined;

  beforeAll(async () => {
    platform = await startThreeDirectors();
    zkPort = platform.zkPort;
  }, THREE_DIRECTORS_START_MS);

  afterAll(async () => {
    await session?.close().catch(() => undefined);
    await platform?.down();
  });

  it('each director owns its member; status shows one leader and two followers', async () => {
    const config = await readEnsembleConfig(`127.0.0.1:${zkPort}`);
    expect(config.servers.map((s) => `${s.id} ${s.host}:${s.clientPort}`)).toEqual(
      members(zkPort).map((m, i) => `${i + 1} ${m.host}:${m.port}`),
    );
    const services = await platform.services();
    expect(services.some((s) => s.service === 'zookeeper')).toBe(false); // not `wharf up`'s any more
    for (const hostId of ['host-1', 'host-2', 'host-3']) {
      const director = services.find((s) => s.id === `director-${hostId}`);
      expect(director).toBeDefined();
      expect((await memberJvm(platform.home, hostId)).ppid).toBe(director!.pid);
    }
    const status = await platform.cli(['status']);
    const modes = [...status.stdout.matchAll(/^\s+127\.0\.0\.\d:\d+: (leader|follower)/gm)].map((m) => m[1]);
    // The three servers once (from the freshest of the three directors' checks), three directors.
    expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
    expect(modes.filter((m) => m === 'follower')).toHaveLength(2);
    expect(status.stdout.match(/^\s*director director-host-\d: /gm)).toHaveLength(3);
    expect(status.stdout).toMatch(/^\s*quorum: healthy, checked \S+ by director-host-\d$/m);
    expect(status.stdout).toContain('Wharf is healthy.');
  });

  it('loses nothing when the ZooKeeper leader is killed right after a plan is written', async () => {
    const before = await platform.api('POST', '/deployments', etcdPlan('before-the-kill', 1));
    expect(before.status).toBe(201);
    expect((await waitForPlan(platform, before.body.id)).status).toBe('success');
    await etcdPutViaProxy(platform, before.body.id, 'kept', 'yes');

    const modes = await Promise.all(members(zkPort).map((m) => mode(m.host, m.port)));
    const leaderHost = `host-${modes.indexOf('leader') + 1}`;
    const leader = await memberJvm(platform.home, leaderHost);
    session = new ZkSession({
      connectString: members(zkPort)
        .map((m) => `${m.host}:${m.port}`)
        .join(','),
    });
    await session.start();

    const created = await platform.api('POST', '/deployments', etcdPlan('after-the-kill', 1));
    expect(created.status).toBe(201);
    const seconds = await secondsUntilWritesAfterKill(session, leader.pid);
    process.stdout.write(
      `directors ensemble: leader (${leaderHost}) SIGKILL → ZooKeeper writes again in ${seconds} s\n`,
    );

    expect((await waitForPlan(platform, created.body.id)).status).toBe('success');
    await etcdPutViaProxy(platform, created.body.id, 'new', 'served', platform.proxyPorts[1]);
    expect((await etcdGetViaProxy(platform, created.body.id, 'new')).value).toBe('served');
    expect((await etcdGetViaProxy(platform, before.body.id, 'kept')).value).toBe('yes');
    const list = await platform.api('GET', '/deployments');
    const ids = JSON.stringify(list.body);
    expect(ids).toContain(before.body.id);
    expect(ids).toContain(created.body.id);

    // Every service rode the leader change out on its session: none crashed and was restarted.
    const restarted = (await platform.services()).filter((p) => Number(p.restarts ?? 0) > 0);
    expect(restarted.map((p) => `${p.id} ${String(p.restarts)}`)).toEqual([]);

    // Its director restarts the killed server, which rejoins as a follower (another leads now).
    const host = members(zkPort)[Number(leaderHost.slice(-1)) - 1]!;
    await eventually(
      async () => ((await mode(host.host, host.port)) === 'follower' ? true : undefined),
      60_000,
      'the killed member back as a follower',
      250,
    );
    expect((await memberJvm(platform.home, leaderHost)).pid).not.toBe(leader.pid);
  });

  it('a SIGKILLed director comes back and takes its member over again', async () => {
    const directorOf = async () => (await platform.services()).find((s) => s.id === 'director-host-3')!;
    const director = await directorOf();
    const jvm = await memberJvm(platform.home, 'host-3');
    process.kill(director.pid, 'SIGKILL'); // its JVM is orphaned, still serving
    const back = await eventually(
      async () => {
        const now = await directorOf();
        if (now.pid === director.pid) return undefined;
        const member = await memberJvm(platform.home, 'host-3').catch(() => undefined);
        return member?.ppid === now.pid ? { now, member } : undefined;
      },
      60_000,
      'director-host-3 restarted with a member of its own',
      250,
    );
    expect(back.member.pid).not.toBe(jvm.pid);
    await eventually(
      async () => ((await mode('127.0.0.3', zkPort)) === 'follower' ? true : undefined),
      60_000,
      'its member serving again',
      250,
    );
    expect((await directorOf()).restarts).toBe(1);
  });

  it('keeps every deployment across wharf down and up; down leaves no ZooKeeper running', async () => {
    const before = (await platform.api('GET', '/deployments')).body;
    const ids: string[] = JSON.stringify(before).match(/"id":"[^"]+"/g) ?? [];
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect((await platform.cli(['down'])).code).toBe(0);
    expect(await zookeepersOf(platform.home)).toEqual([]);
    await platform.up();
    expect(await zookeepersOf(platform.home)).toHaveLength(3);
    const after = JSON.stringify((await platform.api('GET', '/deployments')).body);
    for (const id of ids) expect(after).toContain(id);
    const config = await readEnsembleConfig(`127.0.0.2:${zkPort}`);
    expect(config.servers.map((s) => s.id)).toEqual([1, 2, 3]);
  });
});
