/**
 * Chaos-suite tools: a steady write load through the proxies, a read-back of everything the load
 * had acknowledged, a count of a deployment's instance specs in ZooKeeper and of its processes,
 * and the pids of platform services as their runners publish them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { paths } from '@wharf/model';
import { ZkSession } from '@wharf/zk';
import { type Platform } from '../helpers/platform';
import { b64 } from '../helpers/plans';

const run = promisify(execFile);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a load run saw. */
export interface LoadResult {
  total: number;
  failed: number;
  /** Requests that failed to connect to one proxy and were sent to the other (`failover` loads). */
  retried: number;
  /** First few failures, `status body` or the error message. */
  failures: string[];
  /** Keys the proxy answered 200 for, with their values. */
  acked: Map<string, string>;
}

/** A running load: `stop()` waits for requests in flight and returns the tally. */
export interface Load {
  stop: () => Promise<LoadResult>;
  snapshot: () => { total: number; failed: number };
}

/** Requests in flight at most: a stalled upstream must not pile up sockets without bound. */
const MAX_IN_FLIGHT = 32;

/** A refused connection means the proxy never got the request: a load balancer sends it elsewhere. */
const NOT_SENT = /ECONNREFUSED/;

/**
 * Puts `<prefix><n>` = `v<n>` at `perSecond` through the proxies (alternating), each request
 * bounded by the proxy client's 10 s timeout. With `failover`, a request whose proxy refused or
 * refused the connection is sent once to the other proxy, as a load balancer in front would.
 */
export function startLoad(
  platform: Platform,
  id: string,
  prefix: string,
  options: { perSecond?: number; failover?: boolean } = {},
): Load {
  const perSecond = options.perSecond ?? 25;
  const result: LoadResult = { total: 0, failed: 0, retried: 0, failures: [], acked: new Map() };
  const inFlight = new Set<Promise<void>>();
  let n = 0;
  const fail = (why: string) => {
    result.failed++;
    if (result.failures.length < 10) result.failures.push(why);
  };
  const fire = () => {
    if (inFlight.size >= MAX_IN_FLIGHT) {
      result.total++;
      fail('client-side: too many requests in flight');
      return;
    }
    const key = `${prefix}${n}`;
    const value = `v${n}`;
    const port = platform.proxyPorts[n % platform.proxyPorts.length]!;
    n++;
    result.total++;
    const body = JSON.stringify({ key: b64(key), value: b64(value) });
    const put = (to: number) => platform.proxy(id, 'POST', '/v3/kv/put', body, to);
    const other = platform.proxyPorts.find((p) => p !== port)!;
    const p = put(port)
      .catch((err: Error) => {
        if (!options.failover || !NOT_SENT.test(err.message)) throw err;
        result.retried++;
        return put(other);
      })
      .then(
        (res) => {
          if (res.status === 200) result.acked.set(key, value);
          else fail(`${res.status} ${res.body.slice(0, 200)}`);
        },
        (err: Error) => fail(err.message),
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  const timer = setInterval(fire, Math.round(1000 / perSecond));
  return {
    snapshot: () => ({ total: result.total, failed: result.failed }),
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return result;
    },
  };
}

/** Keys (and values) under `prefix` as read through a proxy in one range request. */
export async function readPrefix(
  platform: Platform,
  id: string,
  prefix: string,
): Promise<Map<string, string>> {
  // range_end = prefix with its last byte incremented: every key starting with prefix.
  const end = Buffer.from(prefix);
  end[end.length - 1]!++;
  const res = await platform.proxy(
    id,
    'POST',
    '/v3/kv/range',
    JSON.stringify({ key: b64(prefix), range_end: end.toString('base64') }),
  );
  if (res.status !== 200) throw new Error(`range ${prefix} failed: ${res.status} ${res.body}`);
  const kvs = (JSON.parse(res.body).kvs ?? []) as { key: string; value: string }[];
  return new Map(
    kvs.map((kv) => [Buffer.from(kv.key, 'base64').toString(), Buffer.from(kv.value, 'base64').toString()]),
  );
}

/** Acknowledged writes that do not read back with their value. */
export async function lostWrites(platform: Platform, id: string, prefix: string, load: LoadResult) {
  const stored = await readPrefix(platform, id, prefix);
  return [...load.acked].filter(([k, v]) => stored.get(k) !== v).map(([k]) => k);
}

/** Runs `fn` with a short-lived session to the platform's ZooKeeper. */
export async function withZk<T>(platform: Platform, fn: (zk: ZkSession) => Promise<T>): Promise<T> {
  const zk = new ZkSession({
    connectString: `127.0.0.1:${platform.zkPort}`,
    chroot: '/wharf',
    connectTimeoutMs: 3_000,
  });
  try {
    await zk.start();
    return await fn(zk);
  } finally {
    await zk.close();
  }
}

/** The deployment's instance specs in ZooKeeper: `allocator/instance` for each. */
export async function instanceSpecs(platform: Platform, id: string): Promise<string[]> {
  return withZk(platform, async (zk) => {
    const found: string[] = [];
    for (const alloc of await zk.children(paths.allocators())) {
      const instances = await zk.children(paths.allocatorInstances(alloc)).catch(() => [] as string[]);
      for (const inst of instances) if (inst.startsWith(`${id}-`)) found.push(`${alloc}/${inst}`);
    }
    return found.sort();
  });
}

/** Pids of etcd members started with `--name=<instance>` (the whole argument, not a prefix). */
export async function memberPids(instance: string): Promise<number[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,args=']);
  return stdout
    .split('\n')
    .filter((line) => line.trim().split(/\s+/).includes(`--name=${instance}`))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

/** Duplicates: an instance id specified on two allocators, or run by more than one process. */
export async function duplicates(platform: Platform, id: string): Promise<string[]> {
  const specs = await instanceSpecs(platform, id);
  const names = specs.map((s) => s.split('/')[1]!);
  const dup = names.filter((n, i) => names.indexOf(n) !== i).map((n) => `spec ${n} on two allocators`);
  for (const name of new Set(names)) {
    const pids = await memberPids(name);
    if (pids.length > 1) dup.push(`${name} runs as ${pids.length} processes (${pids.join(', ')})`);
  }
  return dup;
}

/** A platform service as its runner publishes it in `/hosts/<host>/live`. */
export interface LiveService {
  host: string;
  service: string;
  id: string;
  pid?: number;
  state: string;
  restarts: number;
}

/** Every service the runners report. */
export async function liveServices(platform: Platform): Promise<LiveService[]> {
  return withZk(platform, async (zk) => {
    const out: LiveService[] = [];
    for (const host of await zk.children('/hosts')) {
      const live = await zk
        .getJson<{ services: Omit<LiveService, 'host'>[] }>(paths.hostLive(host))
        .catch(() => undefined);
      for (const s of live?.value.services ?? []) out.push({ ...s, host });
    }
    return out;
  });
}

/** True when `/allocators/<id>/live` exists. */
export async function allocatorLive(platform: Platform, allocator: string): Promise<boolean> {
  return withZk(platform, async (zk) => (await zk.exists(paths.allocatorLive(allocator))) !== null);
}

/** Prints one scenario's figure in a greppable line (`CHAOS <scenario>: ...`). */
export function report(scenario: string, load: LoadResult, recoverySeconds: number, extra = ''): void {
  const line =
    `CHAOS ${scenario}: failed ${load.failed} of ${load.total} requests, ` +
    `recovered in ${recoverySeconds.toFixed(1)} s` +
    (load.retried ? `, ${load.retried} sent to the other proxy after a connect failure` : '') +
    (extra ? `, ${extra}` : '') +
    (load.failures.length ? `\n  first failures: ${load.failures.slice(0, 3).join(' | ')}` : '');
  process.stdout.write(`${line}\n`);
}

/** One step of an attempt's log, as `GET /deployments/{id}/plan/activity` shows it. */
export interface LoggedStep {
  step_id: string;
  stage?: string;
  status?: string;
}

/** An attempt as the activity route shows it. */
export interface ActivityAttempt {
  plan_attempt_id: string;
  status: string;
  leader?: string;
  plan_attempt_log: LoggedStep[];
}

/** The deployment's attempts, newest (the running one) first. */
export async function attempts(platform: Platform, id: string): Promise<ActivityAttempt[]> {
  const res = await platform.api('GET', `/deployments/${id}/plan/activity`);
  if (res.status !== 200) throw new Error(`activity of ${id}: ${res.status}`);
  return (res.body.attempts ?? []) as ActivityAttempt[];
}

/** True when `step` is logged completed in `attempt` (or the attempt is over). */
export function stepDone(attempt: ActivityAttempt, step: string): boolean {
  if (attempt.status !== 'running' && attempt.status !== 'rolling_back') return true;
  return attempt.plan_attempt_log.some((s) => s.step_id === step && s.stage === 'completed');
}

/**
 * Waits until the deployment's current attempt (its znode, read on one session every 5 ms: far
 * closer to the step's end than the API) is not one of `before` and has `step` completed.
 */
export async function waitForStep(
  platform: Platform,
  id: string,
  before: ReadonlySet<string>,
  step: string,
  timeoutMs: number,
): Promise<ActivityAttempt> {
  return withZk(platform, async (zk) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const got = await zk.getJson<ActivityAttempt>(paths.planAttempt(id)).catch(() => undefined);
      if (got && !before.has(got.value.plan_attempt_id) && stepDone(got.value, step)) return got.value;
      await sleep(5);
    }
    throw new Error(`timed out waiting for ${step} to complete`);
  });
}
