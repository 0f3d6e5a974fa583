/**
 * Monitoring with a real Prometheus (Debian's `prometheus` package): a platform started with
 * `wharf up`, then Prometheus on a free loopback port with deploy/monitoring/prometheus.yml and
 * deploy/monitoring/alerts.yml, templated only where a test must differ (see `templated*` below):
 * the api URL, the scrape token file, 1 s intervals and every rule's `for:` cut to
 * {@link TEST_FOR}. Prometheus must discover every service through the api's SD endpoint with
 * the scrape token and find all of them `up`; then an allocator is killed (its runner frozen
 * first, so nothing restarts it) and `AllocatorDown` must fire.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { freePort, tempDir, type TempDir } from '@wharf/testkit';
import { startPlatform, type Platform } from '../helpers/platform';
import { eventually } from '../helpers/plans';

jest.setTimeout(150_000);

const ROOT = resolve(__dirname, '..', '..');
const PROMETHEUS = '/usr/bin/prometheus';
/** What every rule's `for:` becomes: long enough to be a real pending phase, short for CI. */
const TEST_FOR = '5s';
const TEST_FOR_MS = 5_000;
/**
 * Kill → firing: the allocator's liveness session expiring (a few seconds), the constructor's
 * loss grace (1 s), a scrape and an evaluation (1 s each), then the `for:` window. Generous for
 * a loaded 2-core CI machine.
 */
const FIRING_BOUND_MS = 45_000;

/** deploy/monitoring/prometheus.yml pointed at this platform, with 1 s intervals. */
function templatedConfig(source: string, apiUrl: string, tokenFile: string, rulesFile: string): string {
  const out = source
    .replace('http://127.0.0.1:12400', apiUrl)
    .replaceAll('credentials_file: scrape-token', `credentials_file: ${tokenFile}`)
    .replace(/scrape_interval: \d+s/, 'scrape_interval: 1s')
    .replace(/scrape_timeout: \d+s/, 'scrape_timeout: 1s')
    .replace(/evaluation_interval: \d+s/, 'evaluation_interval: 1s')
    .replace(/refresh_interval: \d+s/, 'refresh_interval: 1s')
    .replace('- alerts.yml', `- ${rulesFile}`);
  // Every substitution must have applied: a changed deploy file fails here, not silently.
  for (const expected of [apiUrl, tokenFile, rulesFile, 'scrape_interval: 1s', 'refresh_interval: 1s'])
    expect(out).toContain(expected);
  return out;
}

/** deploy/monitoring/alerts.yml with every `for:` shortened to {@link TEST_FOR}. */
function templatedRules(source: string): string {
  expect(source).toMatch(/alert: AllocatorDown\n\s+#[^\n]*\n\s+expr: [^\n]+\n\s+for: 1m/);
  return source.replace(/^(\s+)for: \S+$/gm, `$1for: ${TEST_FOR}`);
}

async function getJson<T>(url: string, authorization?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers: authorization ? { authorization } : {} });
  const text = await res.text();
  return {
    status: res.status,
    body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as T,
  };
}

interface PromTarget {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}
interface PromAlert {
  labels: Record<string, string>;
  state: string;
}

describe('monitoring with a real Prometheus', () => {
  let platform: Platform;
  let dir: TempDir;
  let prometheus: ChildProcess | undefined;
  let promUrl: string;
  let token: string;
  const frozen: number[] = [];

  beforeAll(async () => {
    platform = await startPlatform();
    dir = await tempDir('wharf-prometheus');
    const tokenFile = join(platform.home, 'credentials', 'scrape-token');
    token = (await readFile(tokenFile, 'utf8')).trim();
    const rulesFile = join(dir.path, 'alerts.yml');
    const configFile = join(dir.path, 'prometheus.yml');
    const deploy = join(ROOT, 'deploy', 'monitoring');
    await writeFile(rulesFile, templatedRules(await readFile(join(deploy, 'alerts.yml'), 'utf8')));
    await writeFile(
      configFile,
      templatedConfig(
        await readFile(join(deploy, 'prometheus.yml'), 'utf8'),
        platform.apiUrl,
        tokenFile,
        rulesFile,
      ),
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir.path, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    prometheus.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    await eventually(
      async () => ((await fetch(`${promUrl}/-/ready`).catch(() => undefined))?.ok ? true : undefined),
      30_000,
      `prometheus to be ready\n${stderr}`,
    );
  });

  afterAll(async () => {
    for (const pid of frozen) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone already
      }
    }
    prometheus?.kill('SIGTERM');
    await platform?.down();
    await dir?.cleanup();
  });

  it('serves the SD document to the scrape token and an API key, and nothing else to the token', async () => {
    const sd = `${platform.apiUrl}/api/v1/platform/monitoring/targets`;
    const byToken = await getJson<{ targets: string[]; labels: Record<string, string> }[]>(
      sd,
      `Bearer ${token}`,
    );
    expect(byToken.status).toBe(200);
    const services = byToken.body.map((g) => g.labels.service).sort();
    expect(new Set(services)).toEqual(
      new Set(['allocator', 'api', 'constructor', 'director', 'proxy', 'runner']),
    );
    expect(byToken.body.find((g) => g.labels.id === 'allocator-host-3')?.labels).toMatchObject({
      host: 'host-3',
      zone: 'zone-c',
    });
    expect((await getJson(sd, `ApiKey ${platform.apiKey}`)).status).toBe(200);
    expect((await getJson(sd, 'Bearer wharf_s_wrong')).status).toBe(401);
    expect((await getJson(sd)).status).toBe(401);
    // The token reads metrics and targets only.
    expect((await getJson(`${platform.apiUrl}/api/v1/deployments`, `Bearer ${token}`)).status).toBe(401);
    expect((await getJson(`${platform.apiUrl}/metrics`, `Bearer ${token}`)).status).toBe(200);
    // Every other service's metrics want the token too.
    const allocator = byToken.body.find((g) => g.labels.service === 'allocator')!;
    const allocatorMetrics = `http://${allocator.targets[0]}${allocator.labels.__metrics_path__}`;
    expect((await getJson(allocatorMetrics)).status).toBe(401);
    expect((await getJson(allocatorMetrics, `Bearer ${token}`)).status).toBe(200);
  });

  it('scrapes every Wharf service through the SD endpoint, all up', async () => {
    const sd = await getJson<unknown[]>(
      `${platform.apiUrl}/api/v1/platform/monitoring/targets`,
      `Bearer ${token}`,
    );
    const expected = sd.body.length;
    // 3 runners, 3 allocators, 2 apis, 2 constructors, 2 proxies, the director on host-1.
    expect(expected).toBe(13);
    const targets = await eventually(
      async () => {
        const res = await getJson<{ data: { activeTargets: PromTarget[] } }>(
          `${promUrl}/api/v1/targets?state=active`,
        );
        const active = res.body.data.activeTargets;
        if (active.length === expected && active.every((t) => t.health === 'up')) return active;
        // Thrown, so that a timeout reports what was not up.
        throw new Error(
          active.map((t) => `${t.labels.id}:${t.health}${t.lastError ? ` (${t.lastError})` : ''}`).join(', '),
        );
      },
      30_000,
      'every SD target to be up in Prometheus',
    );
    expect(new Set(targets.map((t) => t.labels.service))).toEqual(
      new Set(['allocator', 'api', 'constructor', 'director', 'proxy', 'runner']),
    );
    expect(targets.every((t) => t.labels.zone !== undefined && t.labels.host !== undefined)).toBe(true);
  });

  it('fires AllocatorDown within its for: window after an allocator is killed', async () => {
    const alerts = async (): Promise<PromAlert[]> =>
      (await getJson<{ data: { alerts: PromAlert[] } }>(`${promUrl}/api/v1/alerts`)).body.data.alerts;
    // The rule is loaded and quiet while every allocator lives.
    const rules = await getJson<{ data: { groups: { rules: { name: string; state: string }[] }[] } }>(
      `${promUrl}/api/v1/rules`,
    );
    const rule = rules.body.data.groups.flatMap((g) => g.rules).find((r) => r.name === 'AllocatorDown');
    expect(rule?.state).toBe('inactive');
    expect((await alerts()).some((a) => a.labels.alertname === 'AllocatorDown')).toBe(false);

    const services = await platform.services();
    const runner = services.find((s) => s.id === 'runner-host-3');
    const allocator = services.find((s) => s.id === 'allocator-host-3');
    expect(runner && allocator).toBeTruthy();
    // Freeze the host's runner so it cannot restart the allocator, then kill the allocator.
    process.kill(runner!.pid, 'SIGSTOP');
    frozen.push(runner!.pid);
    const killedAt = Date.now();
    process.kill(allocator!.pid, 'SIGKILL');

    let pendingSeen = false;
    await eventually(
      async () => {
        const mine = (await alerts()).filter((a) => a.labels.alertname === 'AllocatorDown');
        if (mine.some((a) => a.state === 'pending')) pendingSeen = true;
        return mine.some((a) => a.state === 'firing') ? true : undefined;
      },
      FIRING_BOUND_MS,
      'AllocatorDown to fire',
      250,
    );
    const elapsed = Date.now() - killedAt;
    process.stdout.write(`AllocatorDown firing ${elapsed} ms after the kill (for: ${TEST_FOR})\n`);
    // It went through its pending phase: the for: window applied, it did not fire at once.
    expect(pendingSeen).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(TEST_FOR_MS);
    expect(elapsed).toBeLessThan(FIRING_BOUND_MS);
  });
});
