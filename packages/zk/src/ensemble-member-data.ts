/*
 * A director's member data directory before it (re)joins the ensemble. A member that was removed
 * (`wharf director remove`) keeps its snapshots, transaction log, `myid`, its last dynamic
 * configuration and the markers that keep it out (`wharf-member-listed`, `wharf-removed`, written
 * by services/director member-removal.ts). Joining again on that data would start a server that
 * believes in a membership and a history the ensemble has moved past — and its director would
 * refuse to start it at all. So a re-added member starts empty and syncs from the leader like any
 * new one: the old directory is renamed away in one step (nothing half-deleted is ever seen as a
 * member's data), then deleted. Refused while a server still runs on it.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WharfError } from '@wharf/model';

/** Written once the member has been listed in a committed configuration. */
export const MEMBER_LISTED_MARKER = 'wharf-member-listed';
/** Written when the serving members' configuration no longer lists it. */
export const MEMBER_REMOVED_MARKER = 'wharf-removed';

/**
 * `fresh`: no member ran there (nothing to clear); `stale`: a member ran there and the ensemble
 * does not list it now — its data must go before it joins; `listed`: it is a member now.
 */
export type MemberDataVerdict = 'fresh' | 'stale' | 'listed';

/** What {@link judgeMemberData} looks at. */
export interface MemberDataFacts {
  /** A `myid` file exists: a server ran on this directory. */
  readonly ranBefore: boolean;
  /** The current configuration lists this member's id. */
  readonly listedNow: boolean;
  /** Pids of servers running on this directory. */
  readonly serverPids: readonly number[];
}

/** Decides what to do with a member's data directory before it joins. Pure. */
export function judgeMemberData(facts: MemberDataFacts): MemberDataVerdict {
  if (facts.listedNow) return 'listed';
  if (!facts.ranBefore) return 'fresh';
  if (facts.serverPids.length > 0) {
    const message = `a zookeeper server still runs on this member's old data (pid ${facts.serverPids.join(', ')})`;
    throw new WharfError('WHARF_CONFLICT', message, {
      details: [{ path: 'member', message: 'server-running: stop it before the member is added again' }],
    });
  }
  return 'stale';
}

/** Pids of the ZooKeeper servers started on `dataDir` (`QuorumPeerMain <dataDir>/zoo.cfg`; Linux /proc). */
export async function memberServerPids(dataDir: string): Promise<number[]> {
  const cfg = join(dataDir, 'zoo.cfg');
  const pids: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (argv.includes('org.apache.zookeeper.server.quorum.QuorumPeerMain') && argv.includes(cfg)) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

/**
 * Clears a stale member's data directory (see the module comment) and returns the verdict:
 * `stale` ones are gone afterwards, `fresh` and `listed` ones untouched.
 */
export async function clearStaleMemberData(dataDir: string, listedNow: boolean): Promise<MemberDataVerdict> {
  const verdict = judgeMemberData({
    ranBefore: existsSync(join(dataDir, 'myid')),
    listedNow,
    serverPids: await memberServerPids(dataDir),
  });
  if (verdict !== 'stale') return verdict;
  const aside = `${dataDir}.stale-${Date.now()}`;
  await rename(dataDir, aside);
  await rm(aside, { recursive: true, force: true });
  return verdict;
}
