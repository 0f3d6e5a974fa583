// Helpers shared by the plan-to-routable benchmarks: free loopback ports, sleeping, a GET through
// a proxy by deployment Host header, the 3-zone etcd plan they create, and quantiles.
import { createServer, request } from 'node:http';

/** A free TCP port on 127.0.0.1 (the kernel's pick; from the ephemeral range). */
export const freePort = () =>
  new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

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
export function etcdPlan(name, zones, userSettings) {
  return {
    name,
    resources: {
      etcd: [
        {
          ref_id: 'main',
          plan: {
            cluster_topology: [
              {
                id: 'default',
                instance_configuration_id: 'etcd.default',
                size: { resource: 'memory', value: 128 },
                zone_count: zones,
              },
            ],
            etcd: {
              version: '3.4',
              ...(userSettings === undefined ? {} : { user_settings: userSettings }),
            },
          },
        },
      ],
    },
  };
}

/** The `p` quantile (0–1, nearest rank) of `values`. */
export function quantile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}
