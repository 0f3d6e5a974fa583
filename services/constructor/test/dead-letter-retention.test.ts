/**
 * Dead-letter retention against a real ZooKeeper on a manual clock: the leader's notifier deletes
 * dead letters older than the retention (of any target, a removed one's too), keeps the rest,
 * prunes at most hourly, and keeps everything with retention 0.
 */
import { paths, serializeDocument } from '@wharf/model';
import { createTestLogger } from '@wharf/observability';
import { useZooKeeper } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { WebhookNotifier } from '../src/events/notifier';

jest.setTimeout(30_000);

const zkf = useZooKeeper();
const DAY = 86_400_000;
const NOW = Date.parse('2026-12-06T03:00:00.000Z');

async function deadLetter(zk: ZkSession, target: string, seq: number, time: number): Promise<void> {
  await zk.mkdirp(paths.webhookDeadLetters());
  const iso = new Date(time).toISOString();
  const event = {
    schema_version: 1 as const,
    id: `evt_${String(seq).padStart(24, '0')}`,
    type: 'plan-failed' as const,
    severity: 'warning' as const,
    time: iso,
    message: 'failed',
  };
  const doc = {
    schema_version: 1 as const,
    target_id: target,
    seq,
    event,
    attempts: 5,
    last_error: 'refused',
    time: iso,
  };
  await zk.create(paths.webhookDeadLetter(target, seq), serializeDocument('dead-letter', doc));
}

test('deletes dead letters past retention, hourly, and none with retention 0', async () => {
  const zk = await zkf.session();
  await deadLetter(zk, 'hook-a', 1, NOW - 31 * DAY);
  await deadLetter(zk, 'hook-a', 2, NOW - 29 * DAY);
  await deadLetter(zk, 'gone', 3, NOW - 40 * DAY); // a target since removed
  let now = NOW;
  const notifier = (deadLetterRetentionDays?: number) =>
    new WebhookNotifier({
      zk,
      logger: createTestLogger(),
      clock: { now: () => now },
      tickMs: 1000,
      deadLetterRetentionDays,
    });
  const names = async () => (await zk.children(paths.webhookDeadLetters())).sort();

  await notifier(0).runRound();
  expect(await names()).toHaveLength(3);

  const leader = notifier(); // default: 30 days
  await leader.runRound();
  expect(await names()).toEqual(['hook-a-0000000002']);

  // Pruned at most hourly: an expired letter written a minute later waits for the hour.
  await deadLetter(zk, 'hook-a', 5, NOW - 60 * DAY);
  now = NOW + 60_000;
  await leader.runRound();
  expect(await names()).toEqual(['hook-a-0000000002', 'hook-a-0000000005']);
  now = NOW + 61 * 60_000;
  await leader.runRound();
  expect(await names()).toEqual(['hook-a-0000000002']);

  // A day later #2 is past 30 days too; a fresh one stays.
  await deadLetter(zk, 'hook-a', 6, NOW);
  now = NOW + DAY + 1;
  await leader.runRound();
  expect(await names()).toEqual(['hook-a-0000000006']);
});
