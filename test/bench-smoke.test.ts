/**
 * The benchmarks still run (issue 13: "so the benches never rot"): `bench/run-all.mjs --quick`
 * for every script that starts no whole platform — the proxy (plain and TLS, against HAProxy when
 * installed; its data planes against HAProxy and nginx), route propagation and route-change CPU,
 * ZooKeeper TLS, events, director enrolment, the fleet simulator, the api at scale, the control
 * plane's memory, the routed plan's idle CPU, plus the console's when a browser is installed.
 * Quick forms are sized to run every code path in seconds (bench/run-all.mjs); what they print is
 * not asserted (figures on a shared CI box mean little), only that each one finishes and prints
 * its figures. Left out for time: the platform benches (`wharf up` each, minutes), detection.mjs
 * (~50 s of fixed session-expiry waits) and the Docker one; `node bench/run-all.mjs --quick` runs
 * them all.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

jest.setTimeout(600_000);

const RUN_ALL = join(__dirname, '..', 'bench', 'run-all.mjs');

it('runs every benchmark that needs no whole platform in its quick form', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [RUN_ALL, '--quick', '--skip-platform', '--skip', 'detection.mjs,plan-to-routable-docker.mjs'],
    { timeout: 540_000, maxBuffer: 64 * 1024 * 1024 },
  );
  for (const script of [
    'proxy.mjs',
    'proxy-dataplane.mjs',
    'proxy-tls.mjs',
    'route-propagation.mjs',
    'route-change-cpu.mjs',
    'route-first-load.mjs',
    'zk-tls.mjs',
    'events.mjs',
    'director-enrol.mjs',
    'api-scale.mjs',
    'control-plane-memory.mjs',
    'plan-to-routable-idle-cpu.mjs',
  ]) {
    expect(stdout).toContain(`=== ${script}`);
  }
  expect(stdout).toMatch(/route propagation \(\d+ CPUs/);
  expect(stdout).toMatch(/per created route CPU ms p50 [\d.]+/);
  expect(stdout).toMatch(/proxy data plane \(\d+ CPUs/);
  expect(stdout).toMatch(/proxy h2 over TLS +\d+ /);
  expect(stdout).toMatch(/director-enrol: \d+ enrolments[^\n]*\n +p50 \d+ ms/);
  expect(stdout).toContain('=== fleet/run.mjs');
  expect(stdout).toMatch(/api at scale \(\d+ CPUs/);
  expect(stdout).toMatch(/api +runner \[[^\]]*\]: RSS \d+ MB loaded/);
  expect(stdout).toMatch(/heartbeat 25 ms: \d+ ms CPU/);
});
