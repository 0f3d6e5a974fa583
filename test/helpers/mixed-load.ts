/**
 * A closed-loop read/write load through the proxies: `concurrency` clients each send one request
 * at a time, alternating proxies. Even requests put `<prefix><n>` = `v<n>`; odd ones read back a
 * key acknowledged earlier (a linearizable etcd range) and count a missing or different value as
 * a failure. Closed loop, so a slow moment on a loaded host lowers the rate instead of piling up
 * client-side timeouts: every failure counted is the platform's.
 */
import { type Platform } from './platform';
import { b64 } from './plans';

/** A tally of requests and failures. */
export interface Tally {
  total: number;
  reads: number;
  writes: number;
  failed: number;
}

/** What a load run saw. */
export interface MixedLoadResult extends Tally {
  /** First few failures: `op status body` or the error message. */
  failures: string[];
  /** Keys the proxy answered 200 for, with their values. */
  acked: Map<string, string>;
}

/** A running load. */
export interface MixedLoad {
  /** Counters so far (for per-change figures). */
  snapshot: () => Tally;
  /** Stops the clients, waits for the requests in flight, returns the tally. */
  stop: () => Promise<MixedLoadResult>;
}

/** Starts `concurrency` clients against deployment `id`. */
export function startMixedLoad(platform: Platform, id: string, prefix: string, concurrency = 8): MixedLoad {
  const result: MixedLoadResult = {
    total: 0,
    reads: 0,
    writes: 0,
    failed: 0,
    failures: [],
    acked: new Map(),
  };
  const ackedKeys: string[] = [];
  let n = 0;
  let stopped = false;
  const fail = (why: string) => {
    result.failed++;
    if (result.failures.length < 20) result.failures.push(`${new Date().toISOString()} ${why}`);
  };
  const one = async (): Promise<void> => {
    const i = n++;
    const port = platform.proxyPorts[i % platform.proxyPorts.length]!;
    result.total++;
    if (i % 2 === 0 || ackedKeys.length === 0) {
      result.writes++;
      const key = `${prefix}${i}`;
      const value = `v${i}`;
      const body = JSON.stringify({ key: b64(key), value: b64(value) });
      const res = await platform.proxy(id, 'POST', '/v3/kv/put', body, port);
      if (res.status !== 200) return fail(`put ${res.status} ${res.body.slice(0, 160)}`);
      result.acked.set(key, value);
      ackedKeys.push(key);
      return;
    }
    result.reads++;
    const key = ackedKeys[Math.floor(Math.random() * ackedKeys.length)]!;
    const res = await platform.proxy(id, 'POST', '/v3/kv/range', JSON.stringify({ key: b64(key) }), port);
    if (res.status !== 200) return fail(`range ${res.status} ${res.body.slice(0, 160)}`);
    const kv = (JSON.parse(res.body).kvs ?? [])[0] as { value?: string } | undefined;
    const got = kv?.value === undefined ? undefined : Buffer.from(kv.value, 'base64').toString();
    if (got !== result.acked.get(key))
      fail(`range ${key}: got ${String(got)}, acknowledged ${result.acked.get(key)}`);
  };
  const client = async (): Promise<void> => {
    while (!stopped) await one().catch((err: Error) => fail(err.message));
  };
  const clients = Array.from({ length: concurrency }, () => client());
  return {
    snapshot: () => ({
      total: result.total,
      reads: result.reads,
      writes: result.writes,
      failed: result.failed,
    }),
    stop: async () => {
      stopped = true;
      await Promise.all(clients);
      return result;
    },
  };
}
