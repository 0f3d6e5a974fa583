/**
 * End to end: `wharf director remove <host-id>` on a three-director platform (`wharf up
 * --directors 3`, plaintext). Refusals first (a bad id, an unknown host, a removal the serving
 * members could not commit), then a dead director (its process frozen with SIGSTOP, its member's
 * JVM SIGKILLed) removed by the surviving quorum, then a live one that leaves gracefully; a
 * client writes throughout and the failed writes are counted and printed, plans still complete,
 * the removed directors stay out across restarts (and a whole `wharf down` + `up`, which waits for
 * the remaining member only), and the last director cannot be removed.
 */
import { ZkSession, readEnsembleConfig } from '@wharf/zk';
import { THREE_DIRECTORS_START_MS, memberJvm, startThreeDirectors } from './helpers/ensemble';
import { type Platform } from './helpers/platform';
import { etcdPlan, eventually, waitForPlan } from './helpers/plans';
import { ZkWriter } from './helpers/zk-writer';

jest.setTimeout(180_000);

/** How long a removed director is watched for a comeback after it is resumed or restarted. */
const STAYS_OUT_MS = 8_000;

describe('wharf director remove', () => {
  let platform: Platform;
  let zkPort: number;
  const connectString = () => [1, 2, 3].map((n) => `127.0.0.${n}:${zkPort}`).join(',');
  const ids = async () => (await readEnsembleConfig(connectString())).servers.map((s) => s.id);
  const director = async (hostId: string) =>
    (await platform.services()).find((s) => s.id === `director-${hostId}`)!;
  const noJvm = async (hostId: string) =>
    memberJvm(platform.home, hostId).then(
      () => false,
      () => true,
    );
  const roles = async (hostId: string) =>
    ((await platform.api('GET', '/platform/hosts')).body.hosts as { id: string; roles: string[] }[]).find(
      (h) => h.id === hostId,
    )?.roles;

  async function planCompletes(name: string): Promise<void> {
    const created = await platform.api('POST', '/deployments', etcdPlan(name, 1));
    expect(created.status).toBe(201);
    expect((await waitForPlan(platform, created.body.id)).status).toBe('success');
  }

  /** Runs `director remove` while a client writes; returns the CLI's result and the write counts. */
  async function removeWhileWriting(hostId: string) {
    const writer = new ZkWriter(connectString(), `wharf-e2e-removal-${hostId}`);
    await writer.start();
    await new Promise((r) => setTimeout(r, 500));
    const startedAt = Date.now();
    const result = await platform.cli(['director', 'remove', hostId]);
    const seconds = (Date.now() - startedAt) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    const counts = await writer.stop();
    process.stdout.write(
      `director remove ${hostId}: ${seconds.toFixed(1)} s (CLI), writes ok ${counts.ok}, failed ${counts.failed}` +
        `${counts.errors.length > 0 ? ` (${counts.errors.join('; ')})` : ''}\n`,
    );
    return { result, counts };
  }

  beforeAll(async () => {
    platform = await startThreeDirectors();
    zkPort = platform.zkPort;
  }, THREE_DIRECTORS_START_MS);

  afterAll(async () => {
    for (const hostId of ['host-2', 'host-3']) {
      const pid = (await director(hostId).catch(() => undefined))?.pid;
      if (pid !== undefined) process.kill(pid, 'SIGCONT');
    }
    await platform?.down();
  });

  it('refuses a bad id and an unknown host with coded errors', async () => {
    const bad = await platform.cli(['director', 'remove', '../host-1']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('WHARF_INVALID_ID');
    const unknown = await platform.cli(['director', 'remove', 'host-9']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('WHARF_NOT_FOUND');
    expect(await ids()).toEqual([1, 2, 3]);
  });

  it('refuses a removal that would leave the remaining members without a serving majority', async () => {
    const frozen = await director('host-3');
    process.kill(frozen.pid, 'SIGSTOP'); // a dead director host: nothing restarts its member
    process.kill((await memberJvm(platform.home, 'host-3')).pid, 'SIGKILL');
    await eventually(async () => ((await noJvm('host-3')) ? true : undefined), 10_000, 'member 3 gone', 100);
    const refused = await platform.cli(['director', 'remove', 'host-2']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('WHARF_CONFLICT');
    expect(refused.stderr).toContain('quorum');
    expect(await ids()).toEqual([1, 2, 3]);
  });

  it('removes a dead director through the surviving quorum; it stays out when it comes back', async () => {
    const { result, counts } = await removeWhileWriting('host-3');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('director host-3 removed: zookeeper member 3 left the ensemble');
    expect(await ids()).toEqual([1, 2]);
    expect(counts.ok).toBeGreaterThan(10);
    expect(await roles('host-3')).not.toContain('director');
    await planCompletes('after-dead-removal');

    // The director host comes back: its member sees the others' configuration and stays down.
    process.kill((await director('host-3')).pid, 'SIGCONT');
    await new Promise((r) => setTimeout(r, STAYS_OUT_MS));
    expect(await noJvm('host-3')).toBe(true);
    expect(await ids()).toEqual([1, 2]);
    const status = await platform.cli(['status']);
    expect(status.stdout).not.toMatch(/^\s*director director-host-3: /m);
    const servers = [...status.stdout.matchAll(/^\s+(127\.0\.0\.\d):\d+: (leader|follower)/gm)].map(
      (m) => m[1],
    );
    expect(servers.sort()).toEqual(['127.0.0.1', '127.0.0.2']);
  });

  it('removes a live director: its server stops, writes and plans go on, a restart does not re-add it', async () => {
    const { result, counts } = await removeWhileWriting('host-2');
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    expect(result.stdout).toContain('its server has stopped');
    expect(await ids()).toEqual([1]);
    expect(counts.ok).toBeGreaterThan(10);
    expect(await noJvm('host-2')).toBe(true);
    await eventually(
      async () => {
        const status = await platform.cli(['status']);
        return /^\s*director director-host-2: /m.test(status.stdout) ? undefined : status.stdout;
      },
      20_000,
      "director-host-2's status gone",
      500,
    );
    const session = new ZkSession({ connectString: connectString() });
    await session.start();
    await session.create(`/wharf-e2e-after-live-removal-${Date.now()}`, 'x');
    await session.close();
    await planCompletes('after-live-removal');

    const before = await director('host-2');
    process.kill(before.pid, 'SIGKILL');
    await eventually(
      async () => ((await director('host-2')).pid !== before.pid ? true : undefined),
      60_000,
      'director-host-2 restarted by its supervisor',
      250,
    );
    await new Promise((r) => setTimeout(r, STAYS_OUT_MS));
    expect(await noJvm('host-2')).toBe(true);
    expect(await ids()).toEqual([1]);
  });

  it('refuses to remove the last director', async () => {
    const last = await platform.cli(['director', 'remove', 'host-1']);
    expect(last.code).not.toBe(0);
    expect(last.stderr).toContain('WHARF_CONFLICT');
    expect(last.stderr).toContain('last');
    expect(await ids()).toEqual([1]);
  });

  it('comes back after wharf down and up with the remaining member only', async () => {
    expect((await platform.cli(['down'])).code).toBe(0); // platform.down() would delete the home
    await platform.up();
    expect(await ids()).toEqual([1]);
    expect(await noJvm('host-2')).toBe(true);
    await planCompletes('after-restart');
  });
});
