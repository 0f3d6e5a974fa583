/**
 * Another service's bad data never stops the constructor: a pending plan that is garbage JSON
 * is logged once (not on every scheduler pass) and skipped, and other deployments go on.
 */
import { paths } from '@wharf/model';
import { createTestLogger } from '@wharf/observability';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { createConstructor } from '../src';
import { FakeClusterStack } from './fake-stack';
import { etcdPlanDoc } from './fixtures';
import {
  TEST_TIMING,
  createDeployment,
  preparePlatform,
  startAllocators,
  submitPlan,
  waitForAttempt,
} from './harness';

jest.setTimeout(60_000);

const fixture = useZooKeeper();

test('a garbage pending plan is logged once and skipped; other deployments complete', async () => {
  const zk = await fixture.session();
  await preparePlatform(zk);
  const allocators = await startAllocators(zk, [['a1', 'zone-a', {}]]);
  const logger = createTestLogger();
  const stack = new FakeClusterStack();
  const constructor = createConstructor({
    zk: await fixture.session(),
    id: 'c-bad-docs',
    stacks: () => stack,
    timing: TEST_TIMING,
    logger,
  });
  await constructor.start();
  try {
    await createDeployment(zk, etcdPlanDoc('bad', { planId: 'p-bad', zoneCount: 1 }));
    await zk.set(paths.planPending('bad'), '{"plan_id": "p-bad", garbage', -1);
    const reports = () =>
      logger.entries.filter((e) => (e.meta as { path?: string }).path === paths.planPending('bad')).length;
    await waitFor(() => reports() > 0);

    // Several attempts on another deployment: many scheduler passes over the bad one.
    await createDeployment(zk, etcdPlanDoc('good', { planId: 'p-1', zoneCount: 1 }));
    expect((await waitForAttempt(zk, 'good', 'p-1')).status).toBe('success');
    const afterFirst = reports();
    await submitPlan(zk, etcdPlanDoc('good', { planId: 'p-2', zoneCount: 1, memoryMb: 512 }));
    expect((await waitForAttempt(zk, 'good', 'p-2')).status).toBe('success');

    expect(reports()).toBe(afterFirst);
    expect(afterFirst).toBe(1);
    expect(constructor.state).toBe('leading');
    expect(await zk.exists(paths.planAttempt('bad'))).toBeNull();
  } finally {
    await constructor.close();
    for (const a of allocators) await a.close();
  }
});
