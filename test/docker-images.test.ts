/**
 * The images docker/build.sh makes, end to end: the script runs the way a user or the compose
 * tooling runs it, then every image is checked by running it. Needs a Docker engine; when none
 * can be started the build step throws and every test fails (no skipping).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { freePort } from '@wharf/testkit';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = join(__dirname, '..');

/** Cold build on a 2-core box is ~70 s (warm: a few seconds, inputs unchanged). */
const BUILD_TIMEOUT_MS = 170_000;
/** etcd answers /health in under a second; a cold JVM needs 1–3 s for ZooKeeper. */
const READY_TIMEOUT_MS = 30_000;
const POLL_MS = 200;
/** Every container this file starts carries this label, and afterAll removes them. */
const TEST_LABEL = 'wharf.test=docker-images';

/** Upper bounds in bytes: a regression (a whole JDK, dev dependencies) trips them. */
const MAX_SIZE: Record<string, number> = {
  'wharf/node-base:20': 200e6,
  'wharf/etcd:3.4': 60e6,
  'wharf/zookeeper:3.8': 150e6,
  'wharf/haproxy:2.6': 60e6,
  service: 250e6,
};

jest.setTimeout(BUILD_TIMEOUT_MS + 60_000);

const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const lockfile = readFileSync(join(REPO, 'package-lock.json'), 'utf8');
/** Services build.sh makes an image for: built, and known to the lockfile. */
const services = readdirSync(join(REPO, 'services')).filter(
  (svc) =>
    existsSync(join(REPO, 'services', svc, 'dist', 'main.js')) && lockfile.includes(`"services/${svc}": {`),
);

async function docker(args: string[], timeout = 60_000): Promise<string> {
  const { stdout } = await run('docker', args, { timeout, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** `docker run -d --rm` of `args` (image and its arguments), labelled, on the host network. */
function runOnHostNetwork(args: string[]): Promise<string> {
  return docker(['run', '-d', '--rm', '--label', TEST_LABEL, '--network', 'host', ...args]);
}

/**
 * Runs `image` (labelled, host network) with `config` as the file mounted read-only at
 * `mountPath`, and returns what `probe` finds; the config's temp dir goes afterwards.
 */
async function runWithConfig<T>(
  image: string,
  config: string[],
  mountPath: string,
  probe: () => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-image-config-'));
  try {
    const file = join(dir, basename(mountPath));
    writeFileSync(file, [...config, ''].join('\n'), { mode: 0o644 });
    await runOnHostNetwork(['-v', `${file}:${mountPath}:ro`, image]);
    return await probe();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function eventually<T>(probe: () => Promise<T | null>, what: string): Promise<T> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${READY_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** A ZooKeeper four-letter word; resolves with the reply, or null when nothing answers. */
function fourLetter(port: number, word: string): Promise<string | null> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.end(word));
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('data', (d) => (reply += d.toString()));
    socket.on('error', () => resolve(null));
    socket.on('close', () => resolve(reply === '' ? null : reply));
  });
}

async function imageSize(tag: string): Promise<number> {
  return Number(await docker(['image', 'inspect', '--format', '{{.Size}}', tag]));
}

describe('docker/build.sh images', () => {
  const baseTags = ['wharf/node-base:20', 'wharf/etcd:3.4', 'wharf/zookeeper:3.8', 'wharf/haproxy:2.6'];
  const serviceTags = services.flatMap((svc) => [`wharf/${svc}:${version}`, `wharf/${svc}:latest`]);
  let buildOutput = '';

  beforeAll(async () => {
    const started = Date.now();
    const { stdout, stderr } = await run('bash', [join(REPO, 'docker', 'build.sh')], {
      cwd: REPO,
      timeout: BUILD_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    buildOutput = stdout;
    process.stdout.write(`docker/build.sh took ${Date.now() - started} ms\n${stdout}${stderr}`);
  }, BUILD_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    const ids = await docker(['ps', '-aq', '--filter', `label=${TEST_LABEL}`]).catch(() => '');
    if (ids !== '') await docker(['rm', '-f', ...ids.split('\n')]).catch(() => undefined);
  });

  it('finds the four services at least', () => {
    expect(services).toEqual(expect.arrayContaining(['api', 'constructor', 'allocator', 'proxy']));
  });

  it('tags every image, and prints each size', async () => {
    for (const tag of [...baseTags, ...serviceTags]) {
      expect(await docker(['image', 'inspect', '--format', '{{.Id}}', tag])).toMatch(/^sha256:/);
    }
    for (const tag of [...baseTags, ...services.map((s) => `wharf/${s}:${version}`)]) {
      expect(buildOutput).toContain(tag);
    }
  });

  it('keeps images under their size bounds', async () => {
    const sizes: string[] = [];
    for (const tag of baseTags) {
      const size = await imageSize(tag);
      sizes.push(`${tag} ${(size / 1e6).toFixed(1)} MB`);
      expect(size).toBeLessThan(MAX_SIZE[tag]!);
    }
    for (const svc of services) {
      const size = await imageSize(`wharf/${svc}:${version}`);
      sizes.push(`wharf/${svc}:${version} ${(size / 1e6).toFixed(1)} MB`);
      expect(size).toBeLessThan(MAX_SIZE.service!);
    }
    process.stdout.write(`image sizes:\n  ${sizes.join('\n  ')}\n`);
  });

  it.each(services)('runs %s as a non-root user, and `--help` exits 0', async (svc) => {
    const tag = `wharf/${svc}:${version}`;
    const user = await docker(['image', 'inspect', '--format', '{{.Config.User}}', tag]);
    expect(user).not.toBe('');
    expect(user.split(':')[0]).not.toMatch(/^(0|root)$/);
    const out = await docker(['run', '--rm', '--label', TEST_LABEL, '--network', 'none', tag, '--help']);
    expect(out.length).toBeGreaterThan(0);
    const id = await docker([
      'run',
      '--rm',
      '--label',
      TEST_LABEL,
      '--network',
      'none',
      '--entrypoint',
      'node',
      tag,
      '-e',
      'console.log(process.getuid())',
    ]);
    expect(Number(id)).toBe(10001);
  });

  it('starts a single-member etcd that answers GET /health', async () => {
    const [client, peer] = [await freePort(), await freePort()];
    const clientUrl = `http://127.0.0.1:${client}`;
    const peerUrl = `http://127.0.0.1:${peer}`;
    await runOnHostNetwork([
      'wharf/etcd:3.4',
      '/usr/bin/etcd',
      '--name',
      'solo',
      '--data-dir',
      '/data/solo',
      '--listen-client-urls',
      clientUrl,
      '--advertise-client-urls',
      clientUrl,
      '--listen-peer-urls',
      peerUrl,
      '--initial-advertise-peer-urls',
      peerUrl,
      '--initial-cluster',
      `solo=${peerUrl}`,
    ]);
    const health = await eventually(async () => {
      const res = await fetch(`${clientUrl}/health`);
      return res.ok ? ((await res.json()) as { health: string }) : null;
    }, 'etcd');
    expect(health.health).toBe('true');
  });

  it('starts ZooKeeper that answers ruok', async () => {
    const port = await freePort();
    const zooCfg = [
      'tickTime=500',
      'dataDir=/data',
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'admin.enableServer=false',
      '4lw.commands.whitelist=ruok,srvr',
    ];
    const reply = await runWithConfig('wharf/zookeeper:3.8', zooCfg, '/conf/zoo.cfg', () =>
      eventually(() => fourLetter(port, 'ruok'), 'zookeeper'),
    );
    expect(reply).toBe('imok');
  });

  it('starts HAProxy that serves its config', async () => {
    const port = await freePort();
    const haproxyCfg = [
      'defaults',
      '  mode http',
      '  timeout connect 1s',
      '  timeout client 5s',
      '  timeout server 5s',
      'frontend probe',
      `  bind 127.0.0.1:${port}`,
      '  http-request return status 200 content-type text/plain string wharf-ok',
    ];
    const body = await runWithConfig(
      'wharf/haproxy:2.6',
      haproxyCfg,
      '/usr/local/etc/haproxy/haproxy.cfg',
      () =>
        eventually(async () => {
          const res = await fetch(`http://127.0.0.1:${port}/`);
          return res.ok ? res.text() : null;
        }, 'haproxy'),
    );
    expect(body).toBe('wharf-ok');
  });
});
