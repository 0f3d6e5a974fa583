/**
 * The containerised install (deploy/compose), secure by default: real Docker engine, real
 * docker-compose (Debian's v1.29, installed here when missing), the images from docker/build.sh.
 * One install on free loopback ports in a temp WHARF_DATA: ZooKeeper (mutual TLS only) + director
 * + api (HTTPS through HAProxy, certificate from the install's CA) + 2 constructors + 3 allocators
 * (Docker runtime) + 2 proxies + HAProxy; a 3-zone etcd deployment written and read through HAProxy;
 * ZooKeeper refuses clients without a certificate and a proxy's certificate cannot write a
 * deployment; a second `up` keeps the CA and every certificate.
 * Nothing is skipped: without an engine or docker-compose the setup fails and so does every test.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readTlsCredentials } from '@wharf/pki';
import { ensureDockerEngine, ensureWharfImages, freePorts } from '@wharf/testkit';
import { ZkSession, probeZooKeeper } from '@wharf/zk';
import {
  type JsonResponse,
  ensureDockerCompose,
  eventually,
  httpsApiClient,
  probeWithoutCertificate,
  sh,
  viaHaproxy,
} from './helpers/compose';

const ROOT = resolve(__dirname, '..');
const COMPOSE_DIR = join(ROOT, 'deploy', 'compose');
const PROJECT = `wharfct${process.pid}${Date.now().toString(36)}`;
const ID_PREFIX = `${PROJECT}-`;
const MEMORY_MB = 256;

jest.setTimeout(180_000);

let dataDir = '';
let env: Record<string, string> = {};
let apiUrl = '';
let apiKey = '';
let caPem = '';
let zkPort = 0;
let haproxyPort = 0;
let deploymentId = '';

const compose = (args: string[], timeout?: number) =>
  sh('docker-compose', ['-p', PROJECT, '-f', join(COMPOSE_DIR, 'docker-compose.yml'), ...args], {
    cwd: ROOT,
    env,
    ...(timeout === undefined ? {} : { timeout }),
  });

const api = (method: string, path: string, body?: unknown): Promise<JsonResponse> =>
  httpsApiClient(apiUrl, apiKey, caPem)(method, path, body);

const haproxy = (path: string, body: unknown) => viaHaproxy(haproxyPort, deploymentId, path, body);

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A service container's ZooKeeper credentials, as init wrote them into its volume. */
const credentials = (service: string) => readTlsCredentials(join(dataDir, service, 'tls'));

async function instanceContainers(): Promise<string[]> {
  if (!deploymentId) return [];
  const { stdout } = await sh('docker', ['ps', '-aq', '--filter', `label=wharf.deployment=${deploymentId}`]);
  return stdout.split('\n').filter(Boolean);
}

/** Every file under `dir` (relative paths). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1));
}

/** The CA and certificates a re-run must keep (contents compared byte for byte). */
const TRUST_FILES = [
  'director/ca/ca.pem',
  'director/ca/ca.key',
  'api/tls/cert.pem',
  'proxy-1/tls/cert.pem',
  'zookeeper/conf/tls/keystore.pem',
  'haproxy/api.pem',
];

beforeAll(async () => {
  const started = Date.now();
  await ensureDockerEngine();
  await ensureDockerCompose();
  // build.sh takes a lock: a concurrent build (another checkout, another test) is waited for.
  await ensureWharfImages();
  dataDir = await mkdtemp(join(tmpdir(), 'wharf-compose-'));
  const gid = (await sh('stat', ['-c', '%g', '/var/run/docker.sock'])).stdout.trim();
  // One call: separate freePort() calls can hand out the same port twice (it is free again once
  // probed), and two services on one port leave HAProxy or the api unable to bind.
  const [haproxy, apiPort, zk, apiInternalPort, directorPort, proxyPort1, proxyPort2] = await freePorts(7);
  haproxyPort = haproxy!;
  zkPort = zk!;
  // Instance ports: a random block below the ephemeral range the free ports come from.
  const base = 10_000 + Math.floor(Math.random() * 150) * 100;
  env = {
    WHARF_DATA: dataDir,
    WHARF_DOCKER_GID: gid,
    WHARF_ID_PREFIX: ID_PREFIX,
    WHARF_ZK_PORT: String(zkPort),
    WHARF_API_PORT: String(apiPort),
    WHARF_API_INTERNAL_PORT: String(apiInternalPort),
    WHARF_DIRECTOR_PORT: String(directorPort),
    WHARF_PROXY_PORT_1: String(proxyPort1),
    WHARF_PROXY_PORT_2: String(proxyPort2),
    WHARF_HAPROXY_PORT: String(haproxyPort),
    WHARF_PUBLIC_PORT: String(haproxyPort),
    WHARF_PORT_RANGE_A: `${base}-${base + 29}`,
    WHARF_PORT_RANGE_B: `${base + 30}-${base + 59}`,
    WHARF_PORT_RANGE_C: `${base + 60}-${base + 89}`,
    WHARF_CAPACITY_MB: '2048',
  };
  apiUrl = `https://127.0.0.1:${apiPort}`;
  await compose(['up', '-d'], 120_000);
  caPem = await readFile(join(dataDir, 'director', 'ca', 'ca.pem'), 'utf8');
  await eventually(
    async () => ((await api('GET', '/health')).status === 200 ? true : undefined),
    60_000,
    'the api health over HTTPS',
  ).catch(async (err: Error) => {
    // What a failed start looks like is in the containers' state and logs, removed by afterAll.
    const ps = await compose(['ps']).catch((e: Error) => ({ stdout: e.message }));
    const logs = await compose(['logs', '--no-color', '--tail', '30', 'init', 'haproxy', 'api']).catch(
      (e: Error) => ({ stdout: e.message }),
    );
    throw new Error(`${err.message}\n${ps.stdout}\n${logs.stdout}`);
  });
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
        'director',
        'haproxy',
        'proxy-1',
        'proxy-2',
        'zookeeper',
      ].sort(),
    );
    for (const r of rows) expect(r[1]).toBeTruthy();
    const key = join(dataDir, 'api', 'credentials', 'api-key');
    expect((await sh('stat', ['-c', '%u %a', key])).stdout.trim()).toBe('10001 600');
    // The CA key exists once, on the director's volume (0600); only init and the director mount it.
    expect((await filesUnder(dataDir)).filter((f) => /ca\.key$/.test(f))).toEqual(['director/ca/ca.key']);
    const caKey = join(dataDir, 'director', 'ca', 'ca.key');
    expect((await sh('stat', ['-c', '%u %a', caKey])).stdout.trim()).toBe('10001 600');
    const ids = (await sh('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`]))
      .stdout;
    const mounts = await sh('docker', [
      'inspect',
      '--format',
      '{{index .Config.Labels "com.docker.compose.service"}} {{range .Mounts}}{{.Source}} {{end}}',
      ...ids.split('\n').filter(Boolean),
    ]);
    const withDirector = mounts.stdout
      .split('\n')
      .filter((l) => l.includes(join(dataDir, 'director')) || l.includes(` ${dataDir} `))
      .map((l) => l.split(' ')[0])
      .sort();
    expect(withDirector).toEqual(['director', 'init']);
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

  it('creates a 3-zone etcd deployment through the api over HTTPS, served through HAProxy → proxies', async () => {
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
        const res = await haproxy('/v3/kv/put', { key: b64('compose'), value: b64('works') });
        return res.status === 200 ? res : undefined;
      },
      30_000,
      'a put through HAProxy',
    );
    expect(put.status).toBe(200);
    for (let i = 0; i < 4; i++) {
      // Several reads: round robin spreads them over both proxies.
      const res = await haproxy('/v3/kv/range', { key: b64('compose') });
      expect(res.status).toBe(200);
      const kv = res.body.kvs?.[0];
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

  it('serves the api over HTTPS only with the CA-issued certificate', async () => {
    // Node's default trust (the system bundle) does not know the installation's CA.
    await expect(fetch(`${apiUrl}/api/v1/health`)).rejects.toThrow();
    // The HTTPS port speaks no plain HTTP.
    await expect(fetch(`${apiUrl.replace('https:', 'http:')}/api/v1/health`)).rejects.toThrow();
    const noKey = await httpsApiClient(apiUrl, '', caPem)('GET', '/deployments');
    expect(noKey.status).toBe(401);
  });

  it('ZooKeeper serves mutual TLS only: no certificate, no connection; no plaintext port', async () => {
    const zoo = await readFile(join(dataDir, 'zookeeper', 'conf', 'zoo.cfg'), 'utf8');
    expect(zoo).toMatch(new RegExp(`^secureClientPort=${zkPort}$`, 'm'));
    expect(zoo).toMatch(/^ssl\.clientAuth=need$/m);
    expect(zoo).toMatch(/^authProvider\.x509=io\.wharf\.zookeeper\.WharfX509AuthenticationProvider$/m);
    expect(zoo).not.toMatch(/^clientPort=/m);
    const connect = `127.0.0.1:${zkPort}`;
    // A service's certificate gets in (the control), a client without one does not.
    expect(await probeZooKeeper(connect, 5000, await credentials('proxy-1'))).toBe(true);
    expect(await probeZooKeeper(connect, 5000)).toBe(false);
    const anonymous = await probeWithoutCertificate(zkPort, caPem);
    expect(anonymous.tls).toBe('refused');
    expect(anonymous.plaintextAnswer).not.toContain('imok');
  });

  it("gives the tree ACLs by role: a proxy container's certificate cannot write a deployment", async () => {
    expect(deploymentId).toBeTruthy();
    const sessions: ZkSession[] = [];
    const session = async (service: string) => {
      const zk = new ZkSession({
        connectString: `127.0.0.1:${zkPort}`,
        chroot: '/wharf',
        tls: await credentials(service),
      });
      sessions.push(zk);
      await zk.start();
      return zk;
    };
    try {
      const path = `/deployments/${deploymentId}`;
      const proxy = await session('proxy-1');
      const node = await proxy.get(path);
      await expect(proxy.set(path, node.data, node.stat.version)).rejects.toMatchObject({
        code: 'WHARF_ZK_NO_AUTH',
      });
      await expect(proxy.create(`${path}/intruder`, '{}')).rejects.toMatchObject({
        code: 'WHARF_ZK_NO_AUTH',
      });
      expect((await proxy.getAcl(path)).acl.every((entry) => entry.scheme === 'x509')).toBe(true);
      // The director runs on the CA init made: it published that CA (never its key) over TLS.
      const published = await eventually(
        async () => JSON.parse((await proxy.get('/director/ca')).data.toString('utf8')),
        30_000,
        'the director to publish the CA',
      );
      expect(published.cert_pem.trim()).toBe(caPem.trim());
      // The api's certificate may (the control: the refusal is the role's, not a broken session).
      const apiSession = await session('api');
      const again = await apiSession.get(path);
      await expect(apiSession.set(path, again.data, again.stat.version)).resolves.toBeDefined();
    } finally {
      await Promise.all(sessions.map((zk) => zk.close().catch(() => undefined)));
    }
  });

  it('opts out of TLS only with plaintext.yml and WHARF_PLAINTEXT', async () => {
    const files = ['-f', join(COMPOSE_DIR, 'docker-compose.yml'), '-f', join(COMPOSE_DIR, 'plaintext.yml')];
    const plain = (extra: Record<string, string>) =>
      sh('docker-compose', ['-p', PROJECT, ...files, 'config'], { cwd: ROOT, env: { ...env, ...extra } });
    // Two docker-compose runs (a Python start each, seconds on a loaded box): side by side.
    const [refused, accepted] = await Promise.all([
      plain({ WHARF_PLAINTEXT: '' }).then(
        () => 'loaded',
        (err: Error) => err.message,
      ),
      plain({ WHARF_PLAINTEXT: 'yes-i-understand' }),
    ]);
    expect(refused).toMatch(/WHARF_PLAINTEXT=yes-i-understand/);
    const config = accepted.stdout;
    expect(config).toMatch(/WHARF_PLAINTEXT: yes-i-understand/);
    expect(config).not.toMatch(/WHARF_ZK_TLS_KEY: \S*key\.pem/);
    expect(config.match(/WHARF_ZK_TLS_KEY: ''/g)).toHaveLength(9);
  });

  it('keeps the CA and every certificate when `docker-compose up` runs again', async () => {
    const initContainer = (await compose(['ps', '-q', 'init'])).stdout.trim();
    const startedAt = async () =>
      (await sh('docker', ['inspect', '--format', '{{.State.StartedAt}}', initContainer])).stdout.trim();
    const firstStart = await startedAt();
    const before = await Promise.all(TRUST_FILES.map((f) => readFile(join(dataDir, f), 'utf8')));
    const again = await compose(['up', '-d'], 120_000);
    // init did run again (and succeeded: the services depend on it), and changed nothing.
    expect(await startedAt()).not.toBe(firstStart);
    const after = await Promise.all(TRUST_FILES.map((f) => readFile(join(dataDir, f), 'utf8')));
    expect(after).toEqual(before);
    expect(`${again.stdout}${again.stderr}`).not.toMatch(/Recreating (?!.*init)/);
    expect((await api('GET', '/health')).status).toBe(200);
  });
});
