/**
 * ZooKeeper unreachable (the server frozen with SIGSTOP): requests answer 503 JSON within the
 * operation deadline instead of hanging, the liveness check stays 200,
 * writes stay all-or-nothing, and the api serves again once ZooKeeper is back.
 */
import { paths } from '@wharf/model';
import { waitFor } from '@wharf/testkit';
import { OPERATION_TIMEOUT_MS, useApiHarness } from './helpers/harness';
import { etcdRequest } from './helpers/plans';

jest.setTimeout(30_000);

describe('during a ZooKeeper outage', () => {
  const { server, h } = useApiHarness('/api-outage');

  it('answers 503 JSON in bounded time, stays live, and recovers', async () => {
    const id = (await h.call('POST', '/api/v1/deployments', etcdRequest('before'))).body.id;
    await server.freeze();
    try {
      const started = Date.now();
      const show = await h.call('GET', `/api/v1/deployments/${id}`);
      expect(Date.now() - started).toBeLessThan(OPERATION_TIMEOUT_MS + 2000);
      expect(show.status).toBe(503);
      expect(show.body.error.code).toBe('WHARF_ZK_CONNECTION_LOSS');
      const update = await h.call('PUT', `/api/v1/deployments/${id}`, etcdRequest('during', 1));
      expect(update.status).toBe(503);
      const health = await h.call('GET', '/api/v1/health', undefined, { noAuth: true });
      expect(health.status).toBe(200);
    } finally {
      server.thaw();
    }
    const recovered = await waitFor(async () => {
      const res = await h.call('GET', `/api/v1/deployments/${id}`);
      return res.status === 200 ? res : undefined;
    });
    // A write that timed out has an unknown outcome (ZooKeeper may still apply what it had
    // received), but it is all-or-nothing: record and pending plan moved together or not at all.
    const action = JSON.parse((await h.zk.get(paths.planPending(id))).data.toString()).source.action;
    if (action === 'create') expect(recovered.body).toMatchObject({ name: 'before', version: 0 });
    else expect(recovered.body).toMatchObject({ name: 'during', version: 1 });
  });
});
