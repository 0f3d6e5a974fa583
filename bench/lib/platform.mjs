// Helpers shared by the plan-to-routable benchmarks: free loopback ports, sleeping, a GET through
// a proxy by deployment Host header, the 3-zone etcd plan they create, and quantiles.
import { request } from 'node:http';
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
  etcdCreateRequest(name, { zoneCount: zones, memoryMb: 128, userSettings });

/** The `p` quantile (0–1, nearest rank) of `values`. */
export function quantile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}
