/**
 * The per-key rate limit on mutating requests, through the real wiring: a burst passes, the next
 * mutating request answers 429 with Retry-After and the standard error body and writes nothing;
 * reads and other keys are not affected.
 */
import { useApiHarness } from './helpers/harness';
import { etcdRequest } from './helpers/plans';
import { dumpTree } from './helpers/tree';

jest.setTimeout(30_000);

describe('per-key rate limit', () => {
  const { h } = useApiHarness('/api-rate', {
    // One token per 20 s: a slow machine cannot refill the bucket during the test.
    config: { rateLimit: { perSecond: 0.05, burst: 3 } },
  });

  it('answers 429 with Retry-After after the burst, writes nothing, and spares reads and other keys', async () => {
    const other = await h.call('POST', '/api/v1/platform/configuration/security/api-keys', {
      description: 'other',
    });
    expect(other.status).toBe(201);
    for (let i = 0; i < 2; i++) {
      expect((await h.call('POST', '/api/v1/deployments?validate_only=true', etcdRequest())).status).toBe(
        200,
      );
    }
    const before = await dumpTree(h.zk);
    const limited = await h.call('POST', '/api/v1/deployments', etcdRequest('limited'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.body.error).toMatchObject({
      code: 'WHARF_RATE_LIMITED',
      message: expect.any(String),
      details: [{ path: 'authorization', message: expect.any(String) }],
    });
    expect(await dumpTree(h.zk)).toEqual(before);

    expect((await h.call('GET', '/api/v1/deployments')).status).toBe(200);
    const otherKey = { authorization: `ApiKey ${other.body.key as string}` };
    expect(
      (await h.call('POST', '/api/v1/deployments?validate_only=true', etcdRequest(), { headers: otherKey }))
        .status,
    ).toBe(200);
    expect((await h.call('GET', '/metrics')).text).toMatch(/^wharf_api_rate_limited_total(\{[^}]*\})? 1$/m);
  });
});
