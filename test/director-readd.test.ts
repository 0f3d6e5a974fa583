/**
 * End to end: a director that `wharf up --directors 3` runs, removed (`wharf director remove`)
 * and added back (`wharf director add`): its old member data — which would keep it out, or bring
 * back a history the ensemble moved past — is cleared, its director (the supervisor's child) is
 * restarted and joins as a new member, its host gets the director role back, and a write through
 * it is read through member 1. After `wharf down` and `wharf up` all three members serve again.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  THREE_DIRECTORS_START_MS,
  servingIds,
  startThreeDirectors,
  voterIds,
  writeThenRead,
} from './helpers/ensemble';
import { type Platform } from './helpers/platform';

jest.setTimeout(180_000);

describe('wharf director add after wharf director remove (wharf up --directors 3)', () => {
  let platform: Platform;
  let zkPort: number;
  const at = (...members: number[]) => members.map((n) => `127.0.0.${n}:${zkPort}`).join(',');
  beforeAll(async () => {
    platform = await startThreeDirectors();
    zkPort = platform.zkPort;
  }, THREE_DIRECTORS_START_MS);
  afterAll(async () => {
    await platform?.down();
  });
  it('re-adds a removed director as a new member; it stays one across wharf down and up', async () => {
    const removed = await platform.cli(['director', 'remove', 'host-3']);
    expect(removed.code).toBe(0);
    expect(await voterIds(at(1, 2))).toEqual([1, 2]);
    const pidBefore = (await platform.services()).find((s) => s.id === 'director-host-3')!.pid;
    const added = await platform.cli(['director', 'add', 'host-3']);
    expect({ code: added.code, stderr: added.code === 0 ? '' : added.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    expect(added.stdout).toContain('was cleared first');
    expect(await voterIds(at(1, 2))).toEqual([1, 2, 3]);
    expect(await servingIds(at(1, 2, 3))).toEqual([1, 2, 3]);
    expect(existsSync(join(platform.home, 'hosts/host-3/director/zookeeper/wharf-removed'))).toBe(false);
    const hosts = (await platform.api('GET', '/platform/hosts')).body.hosts as {
      id: string;
      roles: string[];
    }[];
    expect(hosts.find((h) => h.id === 'host-3')?.roles).toContain('director');
    const pidAfter = (await platform.services()).find((s) => s.id === 'director-host-3')!.pid;
    expect(pidAfter).not.toBe(pidBefore);
    expect(await writeThenRead(at(3), at(1), `/wharf-e2e-readded-${Date.now()}`)).toBe('grown');
    expect((await platform.cli(['down'])).code).toBe(0);
    await platform.up();
    expect(await servingIds(at(1, 2, 3))).toEqual([1, 2, 3]);
  });
});
