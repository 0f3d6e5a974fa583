/**
 * End to end: instance `_stop`/`_start` and deployment `_shutdown` → `_restart` on the
 * single-host platform (`wharf up --detach`, every service its own process, real etcd members).
 * Keys written before are read back after each action: stopped instances keep their data.
 */
import { startPlatform, type Platform } from './helpers/platform';
import { etcdGetViaProxy, etcdPlan, etcdPutViaProxy, eventually, waitForPlan } from './helpers/plans';

jest.setTimeout(180_000);

describe('deployment and instance actions on a 3-member etcd deployment', () => {
  let platform: Platform;
  let id: string;

  const instances = async () => (await platform.api('GET', `/deployments/${id}`)).body.instances as any[];
  const succeeded = async () => {
    const attempt = await waitForPlan(platform, id);
    expect(attempt.status).toBe('success');
    return attempt.plan_attempt_log.map((s: any) => s.step_id) as string[];
  };

  beforeAll(async () => {
    platform = await startPlatform();
    const created = await platform.api('POST', '/deployments', etcdPlan('actions', 3));
    expect(created.status).toBe(201);
    id = created.body.id;
    await succeeded();
    await eventually(() => etcdPutViaProxy(platform, id, 'k1', 'before'), 15_000, 'a first put');
  }, 150_000);

  afterAll(async () => {
    await platform?.down();
  });

  it('stops one instance with the CLI (drained, kept), refuses breaking quorum, starts it again', async () => {
    const [victim, second] = (await instances()).map((i) => i.instance_id as string);
    const stopped = await platform.cli(['deployment', 'stop-instances', id, victim!, '--track']);
    expect(stopped.code).toBe(0);
    expect(await succeeded()).toEqual([
      'validate-plan-safety',
      'update-routing',
      'stop-instances',
      'plan-completed',
    ]);
    const after = await instances();
    expect(after).toHaveLength(3);
    expect(after.find((i) => i.instance_id === victim)).toMatchObject({ stopped: true, healthy: false });
    // Two of three members still serve, and only they are routed.
    await etcdPutViaProxy(platform, id, 'k2', 'while-stopped');
    for (let n = 0; n < 6; n++) expect((await etcdGetViaProxy(platform, id, 'k1')).instance).not.toBe(victim);

    const refused = await platform.api('POST', `/deployments/${id}/instances/${second}/_stop`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'WHARF_IN_USE', details: [{ path: 'instance_ids' }] });
    expect((await platform.api('GET', `/deployments/${id}/plan`)).body.pending).toBeNull();

    expect((await platform.api('POST', `/deployments/${id}/instances/${victim}/_start`)).status).toBe(202);
    await succeeded();
    const back = await instances();
    expect(back.every((i) => i.healthy && !i.stopped)).toBe(true);
  });

  it('shuts the deployment down (proxy: coded 503), then _restart brings it back with its data', async () => {
    const res = await platform.api('POST', `/deployments/${id}/_shutdown`);
    expect(res.status).toBe(202);
    await succeeded();
    const shown = (await platform.api('GET', `/deployments/${id}`)).body;
    expect(shown.status).toBe('stopped');
    expect(shown.instances.every((i: any) => i.stopped && !i.healthy)).toBe(true);
    const proxied = await eventually(
      async () => {
        const r = await platform.proxy(id, 'POST', '/v3/kv/range', '{}');
        return r.status === 503 ? r : undefined;
      },
      10_000,
      'the proxy to answer shut down',
    );
    expect(JSON.parse(proxied.body).error.code).toBe('WHARF_DEPLOYMENT_SHUT_DOWN');
    const again = await platform.api('POST', `/deployments/${id}/_shutdown`);
    expect(again.status).toBe(409);
    expect(again.body.error.details[0].path).toBe('id');

    expect((await platform.api('POST', `/deployments/${id}/_restart`)).status).toBe(202);
    expect(await succeeded()).toContain('resume-instances');
    const got = await eventually(
      async () => (await etcdGetViaProxy(platform, id, 'k2')).value,
      20_000,
      'reads after the restart',
    );
    expect(got).toBe('while-stopped');
    expect((await etcdGetViaProxy(platform, id, 'k1')).value).toBe('before');
    expect((await platform.api('GET', `/deployments/${id}`)).body.status).toBe('running');
  });
});
