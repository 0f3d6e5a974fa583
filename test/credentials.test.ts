/**
 * End to end: per-deployment etcd credentials on the single-host platform (`wharf up`, every
 * service its own process, real ZooKeeper, real etcd members, real proxies, the real `etcdctl`).
 * A new etcd deployment has authentication on before it is first routed; the create answer holds
 * `root`'s password, a reset replaces it; the platform's own hooks (member add/remove,
 * leadership hand-off) keep working with authentication on; no password reaches ZooKeeper or a
 * log. The tests run in order on one deployment.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { etcdCreateRequest, persistentTree } from '@wharf/testkit';
import { ZkSession } from '@wharf/zk';
import { proxyRequest, startPlatform, type Platform } from './helpers/platform';
import { b64, eventually, waitForPlan } from './helpers/plans';

jest.setTimeout(180_000);
const run = promisify(execFile);

/** A 3-zone etcd request with the API's default: authentication on. */
const securePlan = (zoneCount: number) =>
  etcdCreateRequest('secure', { zoneCount, memoryMb: 128, timeoutSeconds: 120 });

/** `etcdctl` (argv only) against one member; resolves with stdout or rejects with stderr. */
async function etcdctl(endpoint: string, args: string[], user?: string): Promise<string> {
  const auth = user === undefined ? [] : ['--user', user];
  const { stdout } = await run('etcdctl', ['--endpoints', endpoint, '--dial-timeout=3s', ...auth, ...args], {
    env: { ...process.env, ETCDCTL_API: '3' },
  });
  return stdout;
}

/** etcdctl's error text, or '' when the command succeeded. */
const refusal = (p: Promise<string>): Promise<string> =>
  p.then(
    () => '',
    (err: { stderr?: string }) => err.stderr ?? String(err),
  );

/** Every file below `dir` whose name ends in `.log`. */
async function logFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? logFiles(join(dir, e.name)) : e.name.endsWith('.log') ? [join(dir, e.name)] : [],
    ),
  );
  return nested.flat();
}

describe('etcd credentials of a deployment', () => {
  let platform: Platform;
  let id: string;
  let endpoint: string;
  const passwords: string[] = [];

  const proxied = (path: string, body: unknown, headers: Record<string, string> = {}, port?: number) => {
    const p = port ?? platform.proxyPorts[0]!;
    const address = `127.0.0.${platform.proxyPorts.indexOf(p) + 1}`;
    return proxyRequest(p, id, 'POST', path, JSON.stringify(body), address, headers);
  };
  /** An etcd token for root, obtained through the proxy (etcd's JSON gateway). */
  const token = async (password: string) => {
    const res = await proxied('/v3/auth/authenticate', { name: 'root', password });
    expect(res.status).toBe(200);
    return JSON.parse(res.body).token as string;
  };
  const update = async (zoneCount: number) => {
    const res = await platform.api('PUT', `/deployments/${id}`, securePlan(zoneCount));
    expect(res.status).toBe(202);
    return waitForPlan(platform, id);
  };
  const instances = async () => (await platform.api('GET', `/deployments/${id}`)).body.instances as any[];

  beforeAll(async () => {
    platform = await startPlatform();
  }, 120_000);

  afterAll(async () => {
    await platform?.down();
  });

  it('returns root credentials once at create; etcd refuses requests without them', async () => {
    const created = await platform.api('POST', '/deployments', securePlan(3));
    expect(created.status).toBe(201);
    id = created.body.id;
    const credentials = created.body.resources[0].credentials;
    expect(credentials).toEqual({
      username: 'root',
      password: expect.stringMatching(/^[A-Za-z0-9_-]{32,}$/),
    });
    passwords.push(credentials.password);
    const attempt = await waitForPlan(platform, id);
    expect(attempt.status).toBe('success');
    // docs/benchmarks.md quotes this: what turning authentication on adds to `update-routing`.
    const routing = attempt.plan_attempt_log.find((s: { step_id: string }) => s.step_id === 'update-routing');
    console.log(`credentials: update-routing ${routing?.duration_in_millis} ms (authentication turned on)`);
    const first = (await instances())[0];
    endpoint = `http://${first.host}:${first.ports.client}`;

    // No window without authentication: the first routed request is already refused.
    const open = await proxied('/v3/kv/put', { key: b64('k'), value: b64('v') });
    expect(open.status).not.toBe(200);
    expect(open.body).toContain('user name is empty');
    expect(await refusal(etcdctl(endpoint, ['put', 'k', 'v']))).toContain('user name is empty');
  });

  it('reads back, through both proxies and with etcdctl, what root wrote', async () => {
    const auth = { authorization: await token(passwords[0]!) };
    const put = await eventually(
      async () => {
        const res = await proxied('/v3/kv/put', { key: b64('greeting'), value: b64('hello') }, auth);
        return res.status === 200 ? res : undefined;
      },
      15_000,
      'an authenticated put through the proxy',
    );
    expect(put.status).toBe(200);
    for (const port of platform.proxyPorts) {
      const res = await proxied('/v3/kv/range', { key: b64('greeting') }, auth, port);
      expect(res.status).toBe(200);
      expect(Buffer.from(JSON.parse(res.body).kvs[0].value, 'base64').toString()).toBe('hello');
    }
    const got = await etcdctl(endpoint, ['get', 'greeting', '--print-value-only'], `root:${passwords[0]}`);
    expect(got.trim()).toBe('hello');
  });

  it('grows to 4 members and shrinks back to 3 with authentication on', async () => {
    expect((await update(4)).status).toBe('success');
    expect(await instances()).toHaveLength(4);
    expect((await update(3)).status).toBe('success');
    const now = await instances();
    expect(now).toHaveLength(3);
    const member = now[0];
    endpoint = `http://${member.host}:${member.ports.client}`;
    const list = await etcdctl(endpoint, ['member', 'list'], `root:${passwords[0]}`);
    expect(list.trim().split('\n')).toHaveLength(3);
    const got = await etcdctl(endpoint, ['get', 'greeting', '--print-value-only'], `root:${passwords[0]}`);
    expect(got.trim()).toBe('hello');
  });

  it('resets the password with the CLI: the old one is refused, the new one works', async () => {
    const cli = await platform.cli(['deployment', 'credentials', 'reset', id, '--json']);
    expect(cli.code).toBe(0);
    const reset = JSON.parse(cli.stdout) as { username: string; password: string };
    expect(reset.username).toBe('root');
    expect(reset.password).not.toBe(passwords[0]);
    passwords.push(reset.password);

    const old = await refusal(etcdctl(endpoint, ['get', 'greeting'], `root:${passwords[0]}`));
    expect(old).toContain('authentication failed');
    const got = await etcdctl(endpoint, ['get', 'greeting', '--print-value-only'], `root:${reset.password}`);
    expect(got.trim()).toBe('hello');
  });

  it('gives every host the same platform secret, owner-only', async () => {
    // An api on one host and the constructor leader on another must derive the same passwords.
    const hosts = await readdir(join(platform.home, 'hosts'));
    const files = hosts.map((h) => join(platform.home, 'hosts', h, 'credentials', 'platform-secret'));
    const secrets = await Promise.all(files.map((f) => readFile(f, 'utf8')));
    expect(secrets.length).toBeGreaterThanOrEqual(2);
    expect(new Set(secrets).size).toBe(1);
    for (const f of files) expect((await stat(f)).mode & 0o777).toBe(0o600);
  });

  it('keeps no password in ZooKeeper or in any service log', async () => {
    const doc = JSON.parse(await readFile(join(platform.home, 'run', 'platform.json'), 'utf8'));
    const zk = new ZkSession({ connectString: `127.0.0.1:${platform.zkPort}`, chroot: doc.chroot });
    await zk.start();
    let tree: string;
    try {
      const nodes = await persistentTree(zk);
      tree = Object.entries(nodes)
        .map(([path, data]) => `${path} ${Buffer.from(data, 'base64').toString('utf8')}`)
        .join('\n');
    } finally {
      await zk.close();
    }
    expect(tree).toContain(id);
    const logs = await logFiles(platform.home);
    expect(logs.length).toBeGreaterThan(3);
    const text = (await Promise.all(logs.map((f) => readFile(f, 'utf8')))).join('\n');
    expect(text).toContain('etcd authentication configured');
    for (const password of passwords) {
      expect(tree).not.toContain(password);
      expect(text).not.toContain(password);
    }
  });
});
