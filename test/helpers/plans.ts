/** Plan builders and waiting helpers for end-to-end tests. */
import { etcdCreateRequest } from '@wharf/testkit';
import { type Platform } from './platform';

/**
 * An etcd deployment request with one topology element, without etcd authentication (these
 * tests talk to etcd without credentials; `credentials.test.ts` covers them).
 */
export function etcdPlan(name: string, zoneCount: number, memoryMb = 256, timeoutSeconds = 120): any {
  return etcdCreateRequest(name, {
    zoneCount,
    memoryMb,
    timeoutSeconds,
    userSettings: { authentication: false },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` returns a value that is not undefined, or throws after `timeoutMs`. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

/** Waits until the deployment has no pending plan and returns its newest attempt. */
export async function waitForPlan(platform: Platform, id: string, timeoutMs = 120_000): Promise<any> {
  return eventually(
    async () => {
      const plan = await platform.api('GET', `/deployments/${id}/plan`);
      if (plan.status !== 200 || plan.body.pending) return undefined;
      const activity = await platform.api('GET', `/deployments/${id}/plan/activity`);
      const latest = activity.body?.attempts?.[0];
      return latest && ['success', 'error', 'cancelled'].includes(latest.status) ? latest : undefined;
    },
    timeoutMs,
    `plan of ${id} to complete`,
    250,
  );
}

/** The constructor leader's service id, as `GET /platform` reports it (undefined: none). */
export async function constructorLeader(platform: Platform): Promise<string | undefined> {
  const info = await platform.api('GET', '/platform');
  return (info.body.constructors?.leader as string | null) ?? undefined;
}

/** Waits (polling every 50 ms, 30 s at most) until the newest attempt runs with ≥ `steps` logged. */
export async function attemptUnderWay(platform: Platform, id: string, steps = 2): Promise<void> {
  await eventually(
    async () => {
      const activity = await platform.api('GET', `/deployments/${id}/plan/activity`);
      const running = activity.body.attempts?.[0];
      return running?.status === 'running' && running.plan_attempt_log.length >= steps ? true : undefined;
    },
    30_000,
    'the attempt to be under way',
    50,
  );
}

/** base64 of a string (etcd's JSON gateway wants keys and values base64-encoded). */
export const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Writes a key through a proxy. */
export async function etcdPutViaProxy(
  platform: Platform,
  id: string,
  key: string,
  value: string,
  port?: number,
) {
  const res = await platform.proxy(
    id,
    'POST',
    '/v3/kv/put',
    JSON.stringify({ key: b64(key), value: b64(value) }),
    port,
  );
  if (res.status !== 200) throw new Error(`put ${key} failed: ${res.status} ${res.body}`);
  return res;
}

/** Reads a key through a proxy; undefined when absent. */
export async function etcdGetViaProxy(platform: Platform, id: string, key: string, port?: number) {
  const res = await platform.proxy(id, 'POST', '/v3/kv/range', JSON.stringify({ key: b64(key) }), port);
  if (res.status !== 200) throw new Error(`get ${key} failed: ${res.status} ${res.body}`);
  const kv = JSON.parse(res.body).kvs?.[0];
  return {
    value: kv ? Buffer.from(kv.value, 'base64').toString() : undefined,
    instance: res.headers['x-wharf-handling-instance'] as string | undefined,
  };
}
