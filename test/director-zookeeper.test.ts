/**
 * End to end, the default `wharf up` (one director): the director owns ZooKeeper — its member is a
 * reconfig-enabled quorum of one, the JVM the director's child — and `wharf up` runs none itself.
 * The home is made the way the old code left it: a standalone server that `wharf up` ran, its
 * data in `<home>/zookeeper`, with a node written there. The upgrade moves that data to director
 * 1's member before it first starts: the node is read after, through a SIGKILLed and restarted
 * director and through `wharf down` + `wharf up`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EmbeddedZooKeeper, ZkSession, fourLetterWord, readEnsembleConfig } from '@wharf/zk';
import { memberJvm } from './helpers/ensemble';
import { startPlatform, type Platform } from './helpers/platform';
import { eventually } from './helpers/plans';

jest.setTimeout(180_000);

/** Written by the old layout's standalone server, outside Wharf's chroot. */
const MARKER = '/e2e-written-before-the-upgrade';

/** The old code's `wharf up`: its embedded standalone server, data in `<home>/zookeeper`. */
async function oldLayout(home: string, zkPort: number): Promise<void> {
  const server = new EmbeddedZooKeeper({ dataDir: join(home, 'zookeeper'), port: zkPort });
  await server.start();
  const session = new ZkSession({ connectString: server.connectString, chroot: '/' });
  try {
    await session.start();
    await session.create(MARKER, 'kept');
  } finally {
    await session.close();
    await server.stop();
  }
}

/** The marker's data, read by a fresh session (retried while the member comes back). */
async function readMarker(zkPort: number): Promise<string> {
  return eventually(
    async () => {
      const session = new ZkSession({ connectString: `127.0.0.1:${zkPort}`, chroot: '/' });
      try {
        await session.start();
        return (await session.get(MARKER)).data.toString('utf8');
      } finally {
        await session.close();
      }
    },
    60_000,
    'the marker node',
    250,
  );
}

describe('the director owns ZooKeeper in the default wharf up, and adopts the old data', () => {
  let platform: Platform;
  const memberDir = () => join(platform.home, 'hosts', 'host-1', 'director', 'zookeeper');
  const director = async () => (await platform.services()).find((s) => s.id === 'director-host-1')!;

  beforeAll(async () => {
    platform = await startPlatform({ beforeUp: oldLayout, upArgs: ['--timeout', '120'], timeoutMs: 150_000 });
  }, 160_000);

  afterAll(async () => {
    await platform?.down();
  });

  it("starts director 1's member from the standalone server's data", async () => {
    expect(await readMarker(platform.zkPort)).toBe('kept');
    expect(existsSync(join(memberDir(), 'version-2'))).toBe(true);
    expect(existsSync(join(platform.home, 'zookeeper', 'version-2'))).toBe(false);
    expect(await readFile(join(platform.home, 'zookeeper', 'MOVED.txt'), 'utf8')).toContain(memberDir());
    // A quorum of one it can grow, not a standalone server.
    const zooCfg = await readFile(join(memberDir(), 'zoo.cfg'), 'utf8');
    expect(zooCfg).toContain('standaloneEnabled=false');
    expect(zooCfg).toContain('reconfigEnabled=true');
    expect(await fourLetterWord('127.0.0.1', platform.zkPort, 'srvr', 1000)).toContain('Mode: leader');
    const config = await readEnsembleConfig(`127.0.0.1:${platform.zkPort}`);
    expect(config.servers.map((s) => `${s.id} ${s.host}:${s.clientPort}`)).toEqual([
      `1 127.0.0.1:${platform.zkPort}`,
    ]);
  });

  it("runs the server as the director's child, not wharf up's; status reports it", async () => {
    const services = await platform.services();
    expect(services.some((s) => s.service === 'zookeeper')).toBe(false);
    expect((await memberJvm(platform.home, 'host-1')).ppid).toBe((await director()).pid);
    const status = await platform.cli(['status']);
    expect(status.stdout).toMatch(/^\s*quorum: healthy, checked \S+$/m);
    expect(status.stdout).toMatch(new RegExp(`^\\s+127\\.0\\.0\\.1:${platform.zkPort}: leader`, 'm'));
    expect(status.stdout).toContain('Wharf is healthy.');
  });

  it('a SIGKILLed director comes back with its member, and the data', async () => {
    const before = await director();
    const jvm = await memberJvm(platform.home, 'host-1');
    process.kill(before.pid, 'SIGKILL'); // its JVM is orphaned until the new director kills it
    const back = await eventually(
      async () => {
        const now = await director();
        if (now.pid === before.pid) return undefined;
        const member = await memberJvm(platform.home, 'host-1').catch(() => undefined);
        return member?.ppid === now.pid ? member : undefined;
      },
      60_000,
      'director-host-1 restarted with a member of its own',
      250,
    );
    expect(back.pid).not.toBe(jvm.pid);
    expect(await readMarker(platform.zkPort)).toBe('kept');
    await eventually(
      async () => ((await platform.cli(['status'])).code === 0 ? true : undefined),
      60_000,
      'a healthy platform after the director restart',
      1000,
    );
  });

  it('keeps the data through wharf down and up (the member restarts; nothing moves again)', async () => {
    expect((await platform.cli(['down'])).code).toBe(0);
    await platform.up();
    expect(await readMarker(platform.zkPort)).toBe('kept');
    expect((await memberJvm(platform.home, 'host-1')).ppid).toBe((await director()).pid);
  });
});
