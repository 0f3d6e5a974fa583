// Helpers shared by the benchmarks: a platform of their own (`wharf up --detach`), free loopback
// ports, sleeping, a GET through a proxy by deployment Host header, the etcd plan they create,
// waiting for a plan, and quantiles.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdCreateRequest, freePort } from '@wharf/testkit';

export { freePort };

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `GET path` through the proxy at 127.0.0.1:`port` for deployment `id`; the status (0 on error). */
export function proxyGet(port, id, path) {
  return new Promise((res) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { host: `${id}.localhost` }, timeout: 2000 },
      (r) => {
        r.resume();
        r.on('end', () => res(r.statusCode));
      },
    );
    req.on('error', () => res(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** The create request of a `zones`-zone etcd cluster of 128 MB members, with etcd `user_settings`. */
export const etcdPlan = (name, zones, userSettings) =>
  etcdCreateRequest(name, {
    zoneCount: zones,
    memoryMb: 128,
    userSettings: { authentication: false, ...userSettings },
  });

/** The `p` quantile (0–1, nearest rank) of `values`. */
export function quantile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/**
 * A platform of its own for one benchmark: `wharf up --detach` on free ports in a temp
 * WHARF_HOME, process runtime (the allocators' `auto` would pick Docker when an engine answers;
 * plan-to-routable-docker.mjs is the Docker one). `args` are extra `wharf up` flags. Returns the
 * ports, an `api(method, path, body)` with the platform's first key, and `down()` (stops it and
 * removes the home). Exits the process with `wharf up`'s output when the platform does not start.
 */
export async function startPlatform({ args = [], portBase = 12_000, timeoutMs = 120_000 } = {}) {
  const cli = join(import.meta.dirname, '../../packages/cli/dist/bin.js');
  const home = mkdtempSync(join(tmpdir(), 'wharf-bench-'));
  const [zkPort, apiPort, p1, p2] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env,
    WHARF_HOME: home,
    WHARF_ZK: `127.0.0.1:${zkPort}`,
    WHARF_LOG_LEVEL: 'warn',
    WHARF_RUNTIME: 'process',
  };
  const ports = ['--zk-port', zkPort, '--api-port', apiPort, '--proxy-ports', `${p1},${p2}`];
  const flags = [...args, ...ports, '--port-base', portBase].map(String);
  const up = spawnSync(process.execPath, [cli, 'up', '--detach', ...flags], {
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (up.status !== 0) {
    console.error(up.stdout, up.stderr);
    process.exit(1);
  }
  const key = readFileSync(join(home, 'credentials/api-key'), 'utf8').trim();
  const api = apiClient(apiPort, key);
  const down = () => {
    spawnSync(process.execPath, [cli, 'down'], { env, timeout: 90_000 });
    rmSync(home, { recursive: true, force: true });
  };
  return { home, env, cli, zkPort, apiPort, proxyPorts: [p1, p2], api, down };
}

/** `api(method, path, body)` → `{status, body}` against the api at 127.0.0.1:`apiPort` with `key`. */
export function apiClient(apiPort, key) {
  return async (method, path, body) => {
    const r = await fetch(`http://127.0.0.1:${apiPort}/api/v1${path}`, {
      method,
      headers: { authorization: `ApiKey ${key}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    return { status: r.status, body: await r.json().catch(() => undefined) };
  };
}

/** Waits (through `api`) until the attempt of `planId` is final; its status. */
export async function waitForPlan(api, id, planId, timeoutMs = 180_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const res = await api('GET', `/deployments/${id}/plan/activity?size=1`);
    const a = res.body?.attempts?.[0];
    if (a?.plan_id === planId && ['success', 'error', 'cancelled'].includes(a.status)) return a.status;
    if (performance.now() > deadline) throw new Error(`plan ${planId} not final after ${timeoutMs / 1000} s`);
    await sleep(20);
  }
}
