/**
 * Alert events, webhook targets and instance logs through the api, against a real ZooKeeper: a
 * quota refusal records a `quota-reached` event that only its organization (and platform keys)
 * can list; platform events reach platform keys only; webhook secrets are write-only; bad input
 * (a non-http url, an empty secret, a malformed `since`, `tail=-1`) is a 400 naming the field
 * and writes nothing; dead letters are listed to platform admins only, newest by event sequence.
 */
import { newEvent, paths } from '@wharf/model';
import { waitFor } from '@wharf/testkit';
import { EventRecorder } from '@wharf/zk';
import { useApiHarness, type ApiResponse } from './helpers/harness';
import { etcdRequest } from './helpers/plans';
import { dumpTree } from './helpers/tree';

jest.setTimeout(30_000);

const KEYS = '/api/v1/platform/configuration/security/api-keys';
const HOOKS = '/api/v1/platform/configuration/webhooks';
const SECRET = 'hook-secret-never-shown';

describe('events, webhooks and logs', () => {
  const { h } = useApiHarness('/api-events');
  const keys: Record<string, string> = {};
  let deployment = '';

  const as = (who: string, method: string, path: string, body?: unknown): Promise<ApiResponse> =>
    h.call(method, path, body, { headers: { authorization: `ApiKey ${keys[who]}` } });

  async function refused(call: () => Promise<ApiResponse>, status: number, field: string): Promise<void> {
    const before = await dumpTree(h.zk);
    const res = await call();
    expect({ status: res.status, field: res.body.error?.details?.[0]?.path }).toEqual({ status, field });
    expect(await dumpTree(h.zk)).toEqual(before);
  }

  beforeAll(async () => {
    await h.call('POST', '/api/v1/organizations', { id: 'acme', name: 'Acme', quotas: { deployments: 1 } });
    await h.call('POST', '/api/v1/organizations', { id: 'globex', name: 'Globex' });
    for (const [who, org, role] of [
      ['acme', 'acme', 'deployment-manager'],
      ['globex', 'globex', 'viewer'],
    ] as const) {
      const res = await h.call('POST', KEYS, { description: who, roles: [role], organization_id: org });
      keys[who] = res.body.key as string;
    }
    const created = await as('acme', 'POST', '/api/v1/deployments', etcdRequest('orders', 1, 512));
    expect(created.status).toBe(201);
    deployment = created.body.id as string;
  }, 60_000);

  it('records a quota refusal as an event its organization sees and another organization does not', async () => {
    const second = await as('acme', 'POST', '/api/v1/deployments', etcdRequest('second', 1, 512));
    expect(second.body.error?.code).toBe('WHARF_QUOTA_EXCEEDED');
    new EventRecorder(h.zk).emit({
      type: 'allocator-lost',
      severity: 'critical',
      allocator_id: 'a1',
      message: 'a1 lost',
    });
    const events = await waitFor(
      async () => {
        const res = await h.call('GET', '/api/v1/events');
        return res.body.events?.length === 2 ? res.body.events : undefined;
      },
      { timeoutMs: 5_000, message: 'both events listed' },
    );
    expect(events.map((e: { type: string }) => e.type).sort()).toEqual(['allocator-lost', 'quota-reached']);
    const mine = await as('acme', 'GET', '/api/v1/events');
    expect(
      mine.body.events.map((e: { type: string; organization_id: string }) => [e.type, e.organization_id]),
    ).toEqual([['quota-reached', 'acme']]);
    expect((await as('globex', 'GET', '/api/v1/events')).body.events).toEqual([]);
    expect((await h.call('GET', '/api/v1/events?type=allocator-lost')).body.count).toBe(1);
    expect((await h.call('GET', '/api/v1/events?since=2999-01-01T00:00:00Z')).body.count).toBe(0);
  });

  it('stores webhook targets with write-only secrets and a cursor from the newest event', async () => {
    const put = await h.call('PUT', HOOKS, {
      targets: [{ id: 'ops', url: 'http://127.0.0.1:9/hook', secret: SECRET, events: ['plan-failed'] }],
    });
    expect(put.status).toBe(200);
    expect(JSON.stringify(put.body)).not.toContain(SECRET);
    const got = await h.call('GET', HOOKS);
    expect(got.body.targets).toMatchObject([{ id: 'ops', url: 'http://127.0.0.1:9/hook', secret_set: true }]);
    expect(JSON.stringify(got.body)).not.toContain(SECRET);
    expect(got.body.targets[0].delivery.through_seq).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(h.logger.entries)).not.toContain(SECRET);
    // Keeping the stored secret: a round trip of what GET shows.
    const again = await h.call('PUT', HOOKS, [{ id: 'ops', url: 'http://127.0.0.1:10/hook' }]);
    expect(again.status).toBe(200);
    expect((await h.zk.get(paths.webhooks())).data.toString()).toContain(SECRET);
    await refused(() => as('acme', 'GET', HOOKS), 403, 'authorization');
  });

  it('refuses bad input naming the field, writing nothing', async () => {
    await refused(
      () => h.call('PUT', HOOKS, { targets: [{ id: 'x', url: 'ftp://127.0.0.1/', secret: 'k' }] }),
      400,
      'targets[0].url',
    );
    await refused(
      () => h.call('PUT', HOOKS, { targets: [{ id: 'x', url: 'http://127.0.0.1/', secret: '' }] }),
      400,
      'targets[0].secret',
    );
    await refused(() => h.call('GET', '/api/v1/events?since=yesterday'), 400, 'since');
    const logs = `/api/v1/deployments/${deployment}/instances/i-0/logs`;
    await refused(() => h.call('GET', `${logs}?tail=-1`), 400, 'tail');
    await refused(() => h.call('GET', `${logs}?tail=10001`), 400, 'tail');
  });

  it("answers 404 for another organization's deployment logs and for an instance not placed", async () => {
    const logs = `/api/v1/deployments/${deployment}/instances/i-0/logs`;
    const other = await as('globex', 'GET', logs);
    expect(other.status).toBe(404);
    expect(other.body.error.message).toBe(`deployment ${deployment} not found`);
    const missing = await as('acme', 'GET', logs);
    expect({ status: missing.status, field: missing.body.error.details[0].path }).toEqual({
      status: 404,
      field: 'instance',
    });
  });

  it('lists dead letters to platform admins only, newest by event sequence, of one target on request', async () => {
    await h.zk.mkdirp(paths.webhookDeadLetters());
    for (const [target, seq] of [
      ['ops', 4],
      ['pager-duty', 2],
      ['ops', 9],
    ] as const) {
      const event = newEvent(
        { type: 'plan-failed', severity: 'warning', deployment_id: deployment, message: `failed ${seq}` },
        Date.parse('2026-12-06T00:00:00Z') + seq,
        'a'.repeat(24),
      );
      const letter = {
        schema_version: 1,
        target_id: target,
        seq,
        event,
        attempts: 8,
        last_error: 'HTTP 500',
        time: '2026-12-06T00:10:00.000Z',
      };
      await h.zk.create(paths.webhookDeadLetter(target, seq), JSON.stringify(letter));
    }
    const DEAD = `${HOOKS}/dead-letters`;
    const all = await h.call('GET', DEAD);
    expect(all.status).toBe(200);
    expect(all.body.count).toBe(3);
    expect(
      all.body.dead_letters.map((l: { target_id: string; seq: number }) => [l.target_id, l.seq]),
    ).toEqual([
      ['pager-duty', 2],
      ['ops', 4],
      ['ops', 9],
    ]);
    expect(all.body.dead_letters[0]).toMatchObject({
      attempts: 8,
      last_error: 'HTTP 500',
      event: { type: 'plan-failed', message: 'failed 2', deployment_id: deployment },
    });
    expect(all.body.dead_letters[0].event.schema_version).toBeUndefined();
    const ops = await h.call('GET', `${DEAD}?target=ops&limit=1`);
    expect(ops.body.dead_letters.map((l: { seq: number }) => l.seq)).toEqual([9]);

    const viewer = await h.call('POST', KEYS, { description: 'platform viewer', roles: ['viewer'] });
    keys.viewer = viewer.body.key as string;
    await refused(() => as('viewer', 'GET', DEAD), 403, 'authorization');
    expect((await as('viewer', 'GET', HOOKS)).status).toBe(200);
    await refused(() => as('acme', 'GET', DEAD), 403, 'authorization');
    await refused(() => h.call('GET', `${DEAD}?target=Not_An_Id`), 400, 'target');
    await refused(() => h.call('GET', `${DEAD}?limit=0`), 400, 'limit');
    await refused(() => h.call('GET', `${DEAD}?since=x`), 400, 'since');
  });
});
