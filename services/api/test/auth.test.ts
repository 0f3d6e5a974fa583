/**
 * Authentication and first-start bootstrap against a real ZooKeeper: one key however many
 * processes start together, stored hashed, printed once, saved 0600; every route but the health
 * check needs it; the key never reaches a log line.
 */
import { stat } from 'node:fs/promises';
import { parseDocument, paths } from '@wharf/model';
import { createTestLogger } from '@wharf/observability';
import { tempDir } from '@wharf/testkit';
import { ZkSession } from '@wharf/zk';
import { SYSTEM_CLOCK, apiKeyFile, bootstrap, parseApiKey } from '../src';
import { useApiHarness, startHarness } from './helpers/harness';
import { etcdRequest } from './helpers/plans';

jest.setTimeout(30_000);

describe('API key bootstrap and authentication', () => {
  const { server, h } = useApiHarness('/api-auth');

  it('creates one hashed key on first start, printed once and saved 0600 in a 0700 directory', async () => {
    const parsed = parseApiKey(h.key);
    expect(parsed).toBeDefined();
    expect(h.printed).toContain(h.key);
    expect((await stat(apiKeyFile(h.home.path))).mode & 0o777).toBe(0o600);
    expect((await stat(`${h.home.path}/credentials`)).mode & 0o777).toBe(0o700);

    expect(await h.zk.children(paths.apiKeys())).toEqual([parsed!.keyId]);
    const raw = (await h.zk.get(paths.apiKey(parsed!.keyId))).data.toString('utf8');
    const record = parseDocument('api-key', raw);
    expect(record.hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[0-9a-f]{64}$/);
    expect(raw).not.toContain(parsed!.secret);
    expect(await h.zk.exists(paths.platformConfig())).not.toBeNull();
  });

  it('a second api on the same ZooKeeper creates no key and prints nothing; the key works on both', async () => {
    const second = await startHarness(server.connectString, '/api-auth', h.key);
    try {
      expect(second.printed).toBe('');
      await expect(stat(apiKeyFile(second.home.path))).rejects.toThrow();
      expect(await h.zk.children(paths.apiKeys())).toHaveLength(1);
      expect((await second.call('GET', '/api/v1/deployments')).status).toBe(200);
      expect((await second.call('GET', '/api/v1/deployments', undefined, { noAuth: true })).status).toBe(401);
    } finally {
      await second.close();
    }
  });

  it('concurrent first starts create exactly one key', async () => {
    const homes = await Promise.all([0, 1, 2].map((i) => tempDir(`wharf-api-race-${i}`)));
    const sessions = await Promise.all(
      homes.map(async () => {
        const zk = new ZkSession({ connectString: server.connectString, chroot: '/api-race' });
        await zk.start();
        return zk;
      }),
    );
    const printed = ['', '', ''];
    const results = await Promise.all(
      sessions.map((zk, i) =>
        bootstrap({
          zk,
          home: homes[i]!.path,
          domain: 'localhost',
          logger: createTestLogger(),
          clock: SYSTEM_CLOCK,
          pid: 10 + i,
          print: (t) => (printed[i] += t),
        }),
      ),
    );
    expect(results.filter((r) => r.createdKeyId !== undefined)).toHaveLength(1);
    expect(printed.filter((p) => p.includes('wharf_'))).toHaveLength(1);
    expect(await sessions[0]!.children(paths.apiKeys())).toHaveLength(1);
    const files = await Promise.all(
      homes.map((home) =>
        stat(apiKeyFile(home.path)).then(
          () => true,
          () => false,
        ),
      ),
    );
    expect(files.filter(Boolean)).toHaveLength(1);
    await Promise.all(sessions.map((zk) => zk.close()));
    await Promise.all(homes.map((home) => home.cleanup()));
  });

  it('answers 401 JSON without a key, with a wrong one, and with another scheme', async () => {
    const { keyId, secret } = parseApiKey(h.key)!;
    const wrongSecret = `wharf_${keyId}_${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    const attempts: Array<Record<string, string> | undefined> = [
      undefined,
      { authorization: `ApiKey ${wrongSecret}` },
      { authorization: `ApiKey wharf_knotakey00_${secret}` },
      { authorization: 'ApiKey garbage' },
      { authorization: `Bearer ${h.key}` },
    ];
    for (const headers of attempts) {
      const res = await h.call('GET', '/api/v1/deployments', undefined, {
        noAuth: true,
        ...(headers ? { headers } : {}),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('ApiKey');
      expect(res.body.error).toMatchObject({
        code: 'WHARF_UNAUTHORIZED',
        details: [{ path: 'authorization' }],
      });
    }
    for (const path of ['/api/v1/platform', '/api/v1/nothing', '/metrics']) {
      expect((await h.call('GET', path, undefined, { noAuth: true })).status).toBe(401);
    }
    expect((await h.call('GET', '/api/v1/deployments')).status).toBe(200);
    expect(
      (
        await h.call('GET', '/api/v1/deployments', undefined, {
          headers: { authorization: `apikey  ${h.key}` },
        })
      ).status,
    ).toBe(200);
  });

  it('serves the health check without a key and metrics with one', async () => {
    const health = await h.call('GET', '/api/v1/health', undefined, { noAuth: true });
    expect(health.status).toBe(200);
    expect(health.body).toEqual({
      status: 'ok',
      checks: { zookeeper: { status: 'ok', detail: 'connected' } },
    });
    const metrics = await h.call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(
      /wharf_api_requests_total\{method="GET",route="\/api\/v1\/deployments",status="200"/,
    );
    expect(metrics.text).toMatch(/wharf_api_authentications_total\{result="wrong_secret"/);
    expect(metrics.text).toContain('wharf_api_request_duration_seconds_bucket');
  });

  it('never logs the key or the Authorization header', async () => {
    await h.call('POST', '/api/v1/deployments', etcdRequest('logged'));
    await h.call('GET', '/api/v1/deployments', undefined, { headers: { authorization: `ApiKey ${h.key}x` } });
    const { secret } = parseApiKey(h.key)!;
    const logged = JSON.stringify(h.logger.entries);
    expect(h.logger.entries.length).toBeGreaterThan(0);
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain('ApiKey ');
    expect(logged.toLowerCase()).not.toContain('authorization');
  });
});
