/**
 * End to end: `wharf director add <host-id>` on a running one-director platform (`wharf up`,
 * plaintext, three hosts). Refusals first (a bad id, an unknown host, a host in the ensemble
 * already); then the quorum of one grows to two and three — each director starts its member,
 * which syncs and is added by a reconfiguration conditioned on the version it read — and a write
 * through the new members is read through the original one; the original director's member is
 * killed (its director frozen, so nothing restarts it) and the seconds until writes succeed again
 * are printed; last, a grown director is removed and added back as a new member, its old member
 * data (and the markers that kept it out) cleared first. Then the same growth on a secure
 * platform (`wharf up --secure`): the new members get certificates from the installation's CA and
 * serve TLS only.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readTlsCredentials } from '@wharf/pki';
import { ZkSession, type ZkTlsOptions, probeZooKeeper, readEnsembleConfig } from '@wharf/zk';
import {
  memberJvm,
  secondsUntilWritesAfterKill,
  servingIds,
  voterIds,
  writeThenRead,
} from './helpers/ensemble';
import { startPlatform, type Platform } from './helpers/platform';
import { eventually } from './helpers/plans';

jest.setTimeout(180_000);

describe('wharf director add', () => {
  let platform: Platform;
  let zkPort: number;
  let frozen: number | undefined;
  const at = (...members: number[]) => members.map((n) => `127.0.0.${n}:${zkPort}`).join(',');
  const memberDir = (hostId: string) => join(platform.home, 'hosts', hostId, 'director', 'zookeeper');
  const director = async (hostId: string) =>
    (await platform.services()).find((s) => s.id === `director-${hostId}`)!;

  /** The `fromVersion` of the director's "joined the ensemble" log line (its reconfig condition). */
  async function joinedFromVersion(hostId: string): Promise<string | undefined> {
    const log = await readFile(
      join(platform.home, 'hosts', hostId, 'logs', `director-${hostId}.log`),
      'utf8',
    );
    const line = log.split('\n').find((l) => l.includes('zookeeper member joined the ensemble'));
    return line === undefined ? undefined : (JSON.parse(line) as { fromVersion?: string }).fromVersion;
  }

  async function add(hostId: string) {
    const startedAt = Date.now();
    const result = await platform.cli(['director', 'add', hostId]);
    process.stdout.write(`director add ${hostId}: ${((Date.now() - startedAt) / 1000).toFixed(1)} s (CLI)\n`);
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    return result.stdout;
  }

  beforeAll(async () => {
    platform = await startPlatform({ upArgs: ['--timeout', '120'], timeoutMs: 150_000 });
    zkPort = platform.zkPort;
  }, 160_000);

  afterAll(async () => {
    if (frozen !== undefined) process.kill(frozen, 'SIGCONT');
    await platform?.down(); // `wharf down` also stops the directors `director add` started
  });

  it('refuses a bad id, an unknown host and a host in the ensemble already, changing nothing', async () => {
    const bad = await platform.cli(['director', 'add', '../host-2']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('WHARF_INVALID_ID');
    const unknown = await platform.cli(['director', 'add', 'host-9']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('WHARF_NOT_FOUND');
    const again = await platform.cli(['director', 'add', 'host-1']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('WHARF_CONFLICT');
    expect(again.stderr).toContain('in the ensemble already');
    expect(await voterIds(at(1))).toEqual([1]);
  });

  it('grows the quorum of one to three; a write through the new members reads through the first', async () => {
    const before = (await readEnsembleConfig(at(1))).version;
    expect(await add('host-2')).toContain(
      'director host-2 added: zookeeper member 2 joined the ensemble (voters 1, 2,',
    );
    expect(await voterIds(at(1))).toEqual([1, 2]);
    // The reconfiguration was conditioned on the version the new director read.
    // (its log line comes right after the reconfiguration returns, maybe after the CLI saw the result)
    expect(await eventually(() => joinedFromVersion('host-2'), 10_000, "host-2's join logged", 200)).toBe(
      before,
    );
    expect(await add('host-3')).toContain('zookeeper member 3 joined the ensemble (voters 1, 2, 3,');
    expect(await voterIds(at(1))).toEqual([1, 2, 3]);
    expect(await servingIds(at(1, 2, 3))).toEqual([1, 2, 3]);
    const path = `/wharf-e2e-grown-${Date.now()}`;
    expect(await writeThenRead(at(2, 3), at(1), path)).toBe('grown');
    // The first director learns the new members from its own server and checks all three.
    const status = await eventually(
      async () => {
        const out = (await platform.cli(['status'])).stdout;
        const servers = [...out.matchAll(/^\s+(127\.0\.0\.\d):\d+: (leader|follower)/gm)].map((m) => m[1]);
        return servers.length === 3 ? servers.sort() : undefined;
      },
      30_000,
      'wharf status listing three serving members',
      1000,
    );
    expect(status).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3']);
  });

  it("keeps taking writes when the original director's member dies", async () => {
    frozen = (await director('host-1')).pid;
    process.kill(frozen, 'SIGSTOP'); // nothing restarts its member meanwhile
    const session = new ZkSession({ connectString: at(1, 2, 3) });
    await session.start();
    try {
      const seconds = await secondsUntilWritesAfterKill(
        session,
        (await memberJvm(platform.home, 'host-1')).pid,
      );
      process.stdout.write(
        `writes again ${seconds.toFixed(2)} s after member 1 (the first director's) was killed\n`,
      );
      expect(await servingIds(at(2, 3))).toEqual([2, 3]);
    } finally {
      await session.close();
    }
    process.kill(frozen, 'SIGCONT');
    frozen = undefined;
    await eventually(
      async () => ((await servingIds(at(1, 2, 3))).length === 3 ? true : undefined),
      60_000,
      'member 1 back, restarted by its director',
      500,
    );
  });

  it('adds a removed director back as a new member, its old member data cleared', async () => {
    const removed = await platform.cli(['director', 'remove', 'host-3']);
    expect(removed.code).toBe(0);
    expect(await voterIds(at(1, 2))).toEqual([1, 2]);
    // The removed member's director writes the marker once it sees the committed configuration
    // without it, which can come after `remove` returns.
    await eventually(
      async () => (existsSync(join(memberDir('host-3'), 'wharf-removed')) ? true : undefined),
      30_000,
      'the removed member marked wharf-removed',
      100,
    );

    const out = await add('host-3');
    expect(out).toContain('zookeeper member 3 joined the ensemble (voters 1, 2, 3,');
    expect(out).toContain('its old member data (from before its removal) was cleared first');
    expect(existsSync(join(memberDir('host-3'), 'wharf-removed'))).toBe(false);
    // Written by its director once it sees itself in the committed configuration (just after the CLI does).
    await eventually(
      async () => (existsSync(join(memberDir('host-3'), 'wharf-member-listed')) ? true : undefined),
      10_000,
      'host-3 marked listed again',
      100,
    );
    expect(await servingIds(at(1, 2, 3))).toEqual([1, 2, 3]);
    expect(await writeThenRead(at(3), at(1), `/wharf-e2e-readded-${Date.now()}`)).toBe('grown');
  });
});

describe('wharf director add on a secure platform (wharf up --secure)', () => {
  let platform: Platform;
  let zkPort: number;
  let tls: ZkTlsOptions;
  const at = (...members: number[]) => members.map((n) => `127.0.0.${n}:${zkPort}`).join(',');

  beforeAll(async () => {
    platform = await startPlatform({ upArgs: ['--secure', '--timeout', '120'], timeoutMs: 150_000 });
    zkPort = platform.zkPort;
    // Director 1's certificate: the members' super user, as `director add` itself uses it.
    tls = await readTlsCredentials(join(platform.home, 'hosts', 'host-1', 'tls', 'director'));
  }, 160_000);

  afterAll(async () => {
    await platform?.down();
  });

  it('grows the TLS quorum of one to three: the new members serve TLS only and take writes', async () => {
    for (const hostId of ['host-2', 'host-3']) {
      const result = await platform.cli(['director', 'add', hostId]);
      expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({
        code: 0,
        stderr: '',
      });
    }
    expect(await voterIds(at(1), tls)).toEqual([1, 2, 3]);
    expect(await servingIds(at(1, 2, 3), tls)).toEqual([1, 2, 3]);
    for (const n of [2, 3]) {
      expect(await probeZooKeeper(at(n), 2000)).toBe(false); // no certificate, no answer
      expect(await probeZooKeeper(at(n), 2000, tls)).toBe(true);
    }
    expect(await writeThenRead(at(2, 3), at(1), `/wharf-e2e-grown-tls-${Date.now()}`, tls)).toBe('grown');
  });
});
