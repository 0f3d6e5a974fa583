/**
 * The containerised install (deploy/compose): real Docker engine, real docker-compose (Debian's
 * v1.29, installed here when missing), the images from docker/build.sh. One install on free
 * loopback ports in a temp WHARF_DATA: api + 2 constructors + 3 allocators (Docker runtime) + 2
 * proxies + HAProxy; a 3-zone etcd deployment written and read through HAProxy.
 * Nothing is skipped: without an engine or docker-compose the setup fails and so does every test.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ensureDockerEngine, ensureWharfImages, freePort } from '@wharf/testkit';
import { apiClient } from './helpers/platform';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const COMPOSE_DIR = join(ROOT, 'deploy', 'compose');
const PROJECT = `wharfct${process.pid}${Date.now().toString(36)}`;
const ID_PREFIX = `${PROJECT}-`;
const MEMORY_MB = 256;

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sh(file: string, args: string[], env?: NodeJS.ProcessEnv, timeout = 170_000) {
  try {
    return await run(file, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
      timeout,
    });
  } catch (err: any) {
    throw new Error(
      `${file} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`,
    );
  }
}

async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(500);
  }
}

/** Debian's docker-compose; installed with apt when missing (CI starts on a fresh machine). */
async function ensureDockerCompose(): Promise<void> {
  try {
    await sh('docker-compose', ['version', '--short']);
    return;
  } catch {
    /* install below */
  }
  if (process.getuid?.() !== 0)
    throw new Error('docker-compose is missing and the test is not root: apt-get install docker-compose');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await sh('apt-get', ['install', '-y', 'docker-compose'], env);
  } catch {
    await sh('apt-get', ['update'], env);
    await sh('apt-get', ['install', '-y', 'docker-compose'], env);
  }
  await sh('docker-compose', ['version', '--short']);
}

let dataDir = '';
let env: Record<string, string> = {};
let apiUrl = '';
let apiKey = '';
let haproxyPort = 0;
let deploymentId = '';

const compose = (args: string[], timeout?: number) =>
  sh('docker-compose', ['-p', PROJECT, '-f', join(COMPOSE_DIR, 'docker-compose.yml'), ...args], env, timeout);

const api = (method: string, path: string, body?: unknown) => apiClient(apiUrl, apiKey)(method, path, body);

/** A request to the HAProxy endpoint, routed by Host `<id>.localhost`. */
function viaHaproxy(path: string, body: unknown): Promise<{ status: number; body: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolvePromise, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: haproxyPort,
        method: 'POST',
        path,
        headers: {
          host: `${deploymentId}.localhost:${haproxyPort}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
        timeout: 10_000,
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function instanceContainers(): Promise<string[]> {
  if (!deploymentId) return [];
  const { stdout } = await sh('docker', ['ps', '-aq', '--filter', `label=wharf.deployment=${deploymentId}`]);
  return stdout.split('\n').filter(Boolean);
}

beforeAll(async () => {
  const started = Date.now();
  await ensureDockerEngine();
  await ensureDockerCompose();
  // build.sh takes a lock: a concurrent build (another checkout, another test) is waited for.
  await ensureWharfImages();
  dataDir = await mkdtemp(join(tmpdir(), 'wharf-compose-'));
  const gid = (await sh('stat', ['-c', '%g', '/var/run/docker.sock'])).stdout.trim();
  haproxyPort = await freePort();
  const apiPort = await freePort();
  // Instance ports: a random block below the ephemeral range the free ports come from.
  const base = 10_000 + Math.floor(Math.random() * 150) * 100;
  env = {
    WHARF_DATA: dataDir,
    WHARF_DOCKER_GID: gid,
    WHARF_ID_PREFIX: ID_PREFIX,
    WHARF_ZK_PORT: String(await freePort()),
    WHARF_API_PORT: String(apiPort),
    WHARF_PROXY_PORT_1: String(await freePort()),
    WHARF_PROXY_PORT_2: String(await freePort()),
    WHARF_HAPROXY_PORT: String(haproxyPort),
    WHARF_PUBLIC_PORT: String(haproxyPort),
    WHARF_PORT_RANGE_A: `${base}-${base + 29}`,
    WHARF_PORT_RANGE_B: `${base + 30}-${base + 59}`,
    WHARF_PORT_RANGE_C: `${base + 60}-${base + 89}`,
    WHARF_CAPACITY_MB: '2048',
  };
  apiUrl = `http://127.0.0.1:${apiPort}`;
  await compose(['up', '-d'], 120_000);
  await eventually(
    async () => ((await fetch(`${apiUrl}/api/v1/health`)).ok ? true : undefined),
    60_000,
    'the api health',
  );
  apiKey = await eventually(
    async () => (await readFile(join(dataDir, 'api', 'credentials', 'api-key'), 'utf8')).trim() || undefined,
    30_000,
    'the api key file',
  );
  console.log(`compose install up in ${Date.now() - started} ms (project ${PROJECT})`);
}, 180_000);

afterAll(async () => {
  const errors: string[] = [];
  if (env.WHARF_DATA) {
    await compose(['down', '-v', '--remove-orphans', '-t', '5'], 60_000).catch((e) => errors.push(String(e)));
  }
  // Instances are started by the allocators, not by compose: remove them by label.
  const leftovers = await instanceContainers().catch(() => [] as string[]);
  if (leftovers.length) await sh('docker', ['rm', '-f', ...leftovers]).catch((e) => errors.push(String(e)));
  if (dataDir) await rm(dataDir, { recursive: true, force: true }).catch((e) => errors.push(String(e)));
  if (errors.length) console.warn(`compose test cleanup: ${errors.join('\n')}`);
}, 90_000);

describe('deploy/compose', () => {
  it('runs every service container with wharf.* labels, as uid 10001', async () => {
    const { stdout } = await sh('docker', [
      'ps',
      '--filter',
      `label=com.docker.compose.project=${PROJECT}`,
      '--format',
      '{{.Label "com.docker.compose.service"}} {{.Label "wharf.component"}} {{.State}}',
    ]);
    const rows = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' '));
    const services = rows.map((r) => r[0]).sort();
    expect(services).toEqual(
      [
        'allocator-a',
        'allocator-b',
        'allocator-c',
        'api',
        'constructor-1',
        'constructor-2',
        'haproxy',
        'proxy-1',
        'proxy-2',
        'zookeeper',
      ].sort(),
    );
    for (const r of rows) expect(r[1]).toBeTruthy();
    const key = join(dataDir, 'api', 'credentials', 'api-key');
    expect((await sh('stat', ['-c', '%u %a', key])).stdout.trim()).toBe('10001 600');
    const apiContainer = (await compose(['ps', '-q', 'api'])).stdout.trim();
    const user = await sh('docker', ['inspect', '--format', '{{.Config.User}}', apiContainer]);
    expect(user.stdout.trim()).toBe('10001:10001');
  });

  it('has 3 connected allocators, 2 constructors and 2 proxies', async () => {
    const platform = await eventually(
      async () => {
        const res = await api('GET', '/platform');
        const b = res.body;
        // Services register independently; wait for all of them, not just the allocators.
        const ready =
          res.status === 200 &&
          b.allocators?.connected === 3 &&
          b.constructors?.alive === 2 &&
          b.proxies?.total === 2;
        return ready ? b : undefined;
      },
      60_000,
      '3 connected allocators, 2 constructors and 2 proxies',
    );
    expect(platform.constructors.alive).toBe(2);
    expect(platform.proxies.total).toBe(2);
    const zones = platform.services.allocator.map((a: any) => a.zone).sort();
    expect(zones).toEqual(['zone-a', 'zone-b', 'zone-c']);
  });

  it('runs a 3-zone etcd deployment in containers, reachable through HAProxy', async () => {
    const request = JSON.parse(await readFile(join(ROOT, 'deploy', 'examples', 'etcd-3-zones.json'), 'utf8'));
    request.name = 'compose-etcd';
    request.resources.etcd[0].plan.cluster_topology[0].size.value = MEMORY_MB;
    request.resources.etcd[0].plan.transient.plan_configuration.timeout = 120;
    // Puts through HAProxy without etcd credentials (test/credentials.test.ts covers them).
    request.resources.etcd[0].plan.etcd.user_settings = { authentication: false };
    const created = await api('POST', '/deployments', request);
    expect(created.status).toBe(201);
    deploymentId = created.body.id;
    expect(deploymentId).toBeTruthy();

    const attempt = await eventually(
      async () => {
        const plan = await api('GET', `/deployments/${deploymentId}/plan`);
        if (plan.status !== 200 || plan.body.pending) return undefined;
        const activity = await api('GET', `/deployments/${deploymentId}/plan/activity`);
        const latest = activity.body?.attempts?.[0];
        return latest && ['success', 'error', 'cancelled'].includes(latest.status) ? latest : undefined;
      },
      130_000,
      'the plan to complete',
    );
    expect(attempt.status).toBe('success');

    // Write and read back through the load-balanced endpoint (HAProxy → proxies → instances).
    const put = await eventually(
      async () => {
        const res = await viaHaproxy('/v3/kv/put', { key: b64('compose'), value: b64('works') });
        return res.status === 200 ? res : undefined;
      },
      30_000,
      'a put through HAProxy',
    );
    expect(put.status).toBe(200);
    for (let i = 0; i < 4; i++) {
      // Several reads: round robin spreads them over both proxies.
      const res = await viaHaproxy('/v3/kv/range', { key: b64('compose') });
      expect(res.status).toBe(200);
      const kv = JSON.parse(res.body).kvs?.[0];
      expect(Buffer.from(kv.value, 'base64').toString()).toBe('works');
    }

    // The instances are containers labelled with the deployment, with their memory limit.
    const ids = await instanceContainers();
    expect(ids).toHaveLength(3);
    const { stdout } = await sh('docker', [
      'inspect',
      '--format',
      '{{.State.Running}} {{.HostConfig.Memory}} {{index .Config.Labels "wharf.allocator"}}',
      ...ids,
    ]);
    const rows = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' '));
    for (const [running, memory] of rows) {
      expect(running).toBe('true');
      expect(Number(memory)).toBe(MEMORY_MB * 1024 * 1024);
    }
    expect(rows.map((r) => r[2]).sort()).toEqual(['a', 'b', 'c'].map((z) => `${ID_PREFIX}allocator-${z}`));
  });
});
