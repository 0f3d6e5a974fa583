/** The shared read loops of the activity feed, with a scripted source and a short interval. */
import { createTestLogger } from '@wharf/observability';
import { ActivityFeed, type ActivityEvent } from './feed';

const INTERVAL_MS = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Waits until `done()` holds (a loaded machine delays timers far past the 5 ms interval, so what
 * must happen is awaited, not given a fixed number of intervals); fails after 5 s.
 */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await sleep(INTERVAL_MS);
  }
}

/** A source whose snapshot is whatever `state.value` holds; counts reads and reads in flight. */
function scripted() {
  const state = { value: { step: 1 } as unknown, reads: 0, inFlight: 0, maxInFlight: 0 };
  return {
    state,
    source: {
      snapshot: async () => {
        state.reads++;
        state.maxInFlight = Math.max(state.maxInFlight, ++state.inFlight);
        // Slower than the interval: separate loops per subscriber would overlap here.
        await sleep(INTERVAL_MS * 2);
        state.inFlight--;
        return state.value;
      },
    },
  };
}

describe('ActivityFeed', () => {
  it('reads once per interval for all subscribers of a deployment and pushes only changes', async () => {
    const { state, source } = scripted();
    const feed = new ActivityFeed({ source, logger: createTestLogger(), intervalMs: INTERVAL_MS });
    const a: ActivityEvent[] = [];
    const b: ActivityEvent[] = [];
    const offA = feed.subscribe('dep', (e) => a.push(e))!;
    await until(() => a.length === 1);
    const offB = feed.subscribe('dep', (e) => b.push(e))!;
    // The late subscriber gets the last snapshot at once, without a read of its own.
    expect(b).toEqual([{ type: 'snapshot', data: { step: 1 } }]);
    await sleep(INTERVAL_MS * 9);
    expect(state.maxInFlight).toBe(1);
    expect(a).toEqual([{ type: 'snapshot', data: { step: 1 } }]);
    state.value = { step: 2 };
    await until(() => a.length === 2 && b.length === 2);
    expect(a.at(-1)).toEqual({ type: 'snapshot', data: { step: 2 } });
    expect(b.at(-1)).toEqual({ type: 'snapshot', data: { step: 2 } });
    expect(a).toHaveLength(2);
    offA();
    offB();
    await until(() => state.inFlight === 0);
    const stoppedAt = state.reads;
    await sleep(INTERVAL_MS * 6);
    expect(state.reads).toBe(stoppedAt);
    expect(feed.size).toBe(0);
  });

  it('tells subscribers when the deployment is gone and stops reading', async () => {
    const { state, source } = scripted();
    state.value = undefined;
    const feed = new ActivityFeed({ source, logger: createTestLogger(), intervalMs: INTERVAL_MS });
    const events: ActivityEvent[] = [];
    feed.subscribe('dep', (e) => events.push(e));
    await until(() => events.length > 0);
    await sleep(INTERVAL_MS * 6);
    expect(events).toEqual([{ type: 'gone' }]);
    expect(state.reads).toBe(1);
  });

  it('keeps streams open through a failing read and refuses streams past the limit', async () => {
    let fail = true;
    const feed = new ActivityFeed({
      source: {
        snapshot: async () => {
          if (fail) throw new Error('zk down');
          return { ok: true };
        },
      },
      logger: createTestLogger(),
      intervalMs: INTERVAL_MS,
      maxStreams: 1,
    });
    const events: ActivityEvent[] = [];
    const off = feed.subscribe('dep', (e) => events.push(e))!;
    expect(feed.subscribe('other', () => undefined)).toBeUndefined();
    await sleep(INTERVAL_MS * 4);
    expect(events).toEqual([]);
    fail = false;
    await until(() => events.length > 0);
    expect(events).toEqual([{ type: 'snapshot', data: { ok: true } }]);
    off();
    off();
    expect(feed.size).toBe(0);
  });
});
