/**
 * Quorum health from ZooKeeper's four-letter words, as pure functions: `srvr` and `mntr` replies
 * in, one {@link ZkServerHealth} per server and a verdict out. The director's monitor
 * (`quorum-monitor.ts`) does the I/O around them.
 *
 * ```
 * connect string ──► srvr/mntr per server ──► parseSrvr/parseMntr ──► summarizeQuorum ──► /director/<id>
 * ```
 */
import { type ZkServerHealth, type ZkServerMode } from '@wharf/model';

/** What one server answered; null replies mean it did not answer in time. */
export interface ServerReplies {
  /** `host:port` as listed in the connect string. */
  readonly address: string;
  readonly srvr: string | null;
  readonly mntr: string | null;
}

/** The quorum's health: a verdict and each server's view. */
export interface QuorumHealth {
  readonly healthy: boolean;
  readonly servers: readonly ZkServerHealth[];
}

const MODES: readonly ZkServerMode[] = ['leader', 'follower', 'observer', 'standalone'];

/** Parses `key: value` (srvr) or `key\tvalue` (mntr) lines into a map. */
function fields(reply: string, separator: RegExp): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of reply.split('\n')) {
    const match = separator.exec(line);
    if (match?.index !== undefined && match.index > 0) {
      out.set(line.slice(0, match.index).trim(), line.slice(match.index + match[0].length).trim());
    }
  }
  return out;
}

/** Mode and zxid from a `srvr` reply; mode `unreachable` when the reply says nothing usable. */
export function parseSrvr(reply: string | null): { mode: ZkServerMode; zxid?: string; latencyMs?: number } {
  if (reply === null) return { mode: 'unreachable' };
  const f = fields(reply, /:\s/);
  const mode = f.get('Mode') as ZkServerMode | undefined;
  if (mode === undefined || !MODES.includes(mode)) return { mode: 'unreachable' };
  const zxid = f.get('Zxid')?.toLowerCase();
  // "Latency min/avg/max: 0/0.1/5"
  const avg = Number(f.get('Latency min/avg/max')?.split('/')[1]);
  return {
    mode,
    ...(zxid !== undefined && /^0x[0-9a-f]{1,16}$/.test(zxid) ? { zxid } : {}),
    ...(Number.isFinite(avg) && avg >= 0 ? { latencyMs: avg } : {}),
  };
}

/** Counters from a `mntr` reply (absent when the word is not allowed or the server is down). */
export function parseMntr(reply: string | null): { znodeCount?: number; outstanding?: number } {
  if (reply === null) return {};
  const f = fields(reply, /\t/);
  const count = (name: string): number | undefined => {
    const n = Number(f.get(name));
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  };
  const znodeCount = count('zk_znode_count');
  const outstanding = count('zk_outstanding_requests');
  return {
    ...(znodeCount === undefined ? {} : { znodeCount }),
    ...(outstanding === undefined ? {} : { outstanding }),
  };
}

/**
 * One health entry per server and the verdict: healthy when one server is standalone and
 * answers, or when a strict majority of the listed servers answers and exactly one of them
 * leads. `zxid_lag` is each server's distance behind the most advanced zxid seen.
 */
export function summarizeQuorum(replies: readonly ServerReplies[]): QuorumHealth {
  const parsed = replies.map((r) => ({ address: r.address, ...parseSrvr(r.srvr), ...parseMntr(r.mntr) }));
  const zxids = parsed.flatMap((p) => (p.zxid === undefined ? [] : [BigInt(p.zxid)]));
  const newest = zxids.reduce((a, b) => (b > a ? b : a), 0n);
  const servers = parsed.map((p): ZkServerHealth => ({
    address: p.address,
    mode: p.mode,
    ...(p.zxid === undefined ? {} : { zxid: p.zxid, zxid_lag: Number(newest - BigInt(p.zxid)) }),
    ...(p.znodeCount === undefined ? {} : { znode_count: p.znodeCount }),
    ...(p.outstanding === undefined ? {} : { outstanding_requests: p.outstanding }),
    ...(p.latencyMs === undefined ? {} : { avg_latency_ms: p.latencyMs }),
  }));
  const up = servers.filter((s) => s.mode !== 'unreachable');
  const voters = servers.filter((s) => s.mode !== 'observer');
  const standalone = up.some((s) => s.mode === 'standalone');
  const leaders = up.filter((s) => s.mode === 'leader').length;
  const votersUp = up.filter((s) => s.mode !== 'observer').length;
  const healthy = standalone || (leaders === 1 && votersUp * 2 > voters.length);
  return { healthy, servers };
}
