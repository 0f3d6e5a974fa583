import { type EventInput } from '@wharf/model';
import { createMetrics, type Logger } from '@wharf/observability';
import { EMPTY_OBSERVED, type ObservedState } from '../core/observed';
import { AllocatorLossTracker } from './loss-tracker';
import { createConstructorMetrics } from '../metrics';

const GRACE = 1_000;

function recordingLogger(lines: string[]): Logger {
  const log = (message: string, meta?: Record<string, unknown>) =>
    lines.push(`${message} ${String(meta?.allocator)}`);
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

const view = (known: string[], live: string[]): ObservedState => ({
  ...EMPTY_OBSERVED,
  known: new Set(known),
  live: new Set(live),
});

describe('AllocatorLossTracker', () => {
  it('times a loss from its first observation, announces it once when the grace ends, forgets it on return', async () => {
    const lines: string[] = [];
    const events: EventInput[] = [];
    const metrics = createMetrics('constructor');
    const tracker = new AllocatorLossTracker({
      logger: recordingLogger(lines),
      metrics: createConstructorMetrics(metrics),
      graceMs: GRACE,
      events: { emit: (e) => events.push(e) },
    });
    const lostGauge = async () =>
      (await metrics.registry.getSingleMetric('wharf_constructor_allocators_lost_count')!.get()).values[0]
        ?.value;

    // Before any observation nothing is judged: routing follows statuses alone.
    expect(tracker.presence(0)('a1')).toBe('live');

    expect(tracker.observe(view(['a1', 'b1'], ['a1', 'b1']), 0)).toBeUndefined();
    expect(tracker.observe(view(['a1', 'b1'], ['a1']), 100)).toBe(100 + GRACE);
    // A later event does not move the start of the grace.
    expect(tracker.observe(view(['a1', 'b1'], ['a1']), 600)).toBe(100 + GRACE);
    expect(tracker.presence(600)('b1')).toBe('suspect');
    expect(tracker.settle(600)).toBe(100 + GRACE);
    expect(await lostGauge()).toBe(0);

    expect(tracker.presence(100 + GRACE)('b1')).toBe('lost');
    expect(tracker.presence(100 + GRACE)('a1')).toBe('live');
    expect(tracker.settle(100 + GRACE)).toBeUndefined();
    expect(tracker.settle(200 + GRACE)).toBeUndefined();
    expect(await lostGauge()).toBe(1);
    // One platform event per loss, like the log line.
    expect(events).toEqual([expect.objectContaining({ type: 'allocator-lost', allocator_id: 'b1' })]);
    expect(events[0]!.organization_id).toBeUndefined();

    tracker.observe(view(['a1', 'b1'], ['a1', 'b1']), 5_000);
    expect(tracker.presence(5_000)('b1')).toBe('live');
    tracker.settle(5_000);
    expect(await lostGauge()).toBe(0);
    expect(lines).toEqual([
      'allocator live node gone b1',
      'allocator lost: its instances are unroutable b1',
      'allocator live again b1',
    ]);
  });

  it('reports who is away for recovery, and nobody during a mass loss (a ZooKeeper outage)', () => {
    const tracker = new AllocatorLossTracker({
      logger: recordingLogger([]),
      metrics: createConstructorMetrics(createMetrics('constructor')),
      graceMs: GRACE,
    });
    tracker.observe(view(['a1', 'b1', 'c1'], ['a1', 'b1', 'c1']), 0);
    tracker.observe(view(['a1', 'b1', 'c1'], ['a1', 'c1']), 100);
    expect([...tracker.awaySince()]).toEqual([['b1', 100]]);
    // Two of three gone at once: hold everything, move nothing.
    tracker.observe(view(['a1', 'b1', 'c1'], ['a1']), 200);
    expect(tracker.awaySince().size).toBe(0);
    tracker.observe(view(['a1', 'b1', 'c1'], ['a1', 'c1']), 300);
    expect([...tracker.awaySince()]).toEqual([['b1', 100]]);
  });
});
