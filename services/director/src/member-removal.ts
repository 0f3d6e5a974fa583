/**
 * How a director's member finds out that it was removed from the ensemble (`wharf director
 * remove`), live or while it was down, so that it neither serves nor asks to be added again.
 *
 * Two files in the member's data directory carry what ZooKeeper does not: `wharf-member-listed`,
 * written once the member has seen itself in a committed configuration, and `wharf-removed`,
 * written when it saw that configuration without itself. A member that was never listed (a
 * first join cut short) is not removed — it joins; one that was listed and that the serving
 * members no longer list was removed by them: only a reconfiguration drops a member.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CompiledZkTls,
  type EnsembleConfig,
  type EnsembleServer,
  MEMBER_LISTED_MARKER,
  MEMBER_REMOVED_MARKER,
  memberConfig,
  parseEnsembleConfig,
} from '@wharf/zk';

/** Written once the member has been listed in a committed configuration (`wharf director add` clears it). */
export const LISTED_MARKER = MEMBER_LISTED_MARKER;
/** Written when the serving members' configuration no longer lists it (`wharf director add` clears it). */
export const REMOVED_MARKER = MEMBER_REMOVED_MARKER;

/** True once this member saw itself in a committed configuration. */
export function wasListed(dataDir: string): boolean {
  return existsSync(join(dataDir, LISTED_MARKER));
}

/** True once this member learnt it was removed (it stays out: no server, no rejoin). */
export function wasRemoved(dataDir: string): boolean {
  return existsSync(join(dataDir, REMOVED_MARKER));
}

/** Records that the member is listed (idempotent). */
export async function markListed(dataDir: string): Promise<void> {
  if (!wasListed(dataDir)) await writeFile(join(dataDir, LISTED_MARKER), `${new Date().toISOString()}\n`);
}

/** Records the removal with the configuration that showed it. */
export async function markRemoved(dataDir: string, config: EnsembleConfig): Promise<void> {
  const text = `${JSON.stringify({ at: new Date().toISOString(), version: config.version })}\n`;
  await writeFile(join(dataDir, REMOVED_MARKER), text);
}

/**
 * The membership the member's server last wrote (`zoo.cfg` names its current dynamic file), for a
 * member that restarts without having to reach anyone first. Empty when there is none yet.
 */
export async function lastKnownMembers(dataDir: string, clientPort: number): Promise<EnsembleServer[]> {
  const cfg = await readFile(join(dataDir, 'zoo.cfg'), 'utf8').catch(() => '');
  const file = /^dynamicConfigFile=(.+)$/m.exec(cfg)?.[1]?.trim();
  if (file === undefined) return [];
  return parseEnsembleConfig(await readFile(file, 'utf8').catch(() => ''), clientPort).servers;
}

/**
 * The configuration of the first of `others` that serves one (`conf`: no session, nothing
 * written), or null when none answers — then nobody can tell, and the member carries on.
 */
export async function servingView(
  others: readonly EnsembleServer[],
  tls: CompiledZkTls | undefined,
): Promise<EnsembleConfig | null> {
  for (const server of others) {
    const config = await memberConfig(server, tls);
    if (config !== null) return config;
  }
  return null;
}

/** True when `config` (of a serving member) shows that member `id`, once listed, was removed. */
export function removedFrom(config: EnsembleConfig | null, id: number, listed: boolean): boolean {
  return listed && config !== null && !config.servers.some((s) => s.id === id);
}
