import { type Event as RawEvent } from 'node-zookeeper-client';
import { NOOP_LOGGER } from './logger';
import { RAW_EVENT_TYPES, WatchRouter } from './watch-router';
import { type ZkWatchEvent } from './types';

function raw(type: number, path: string): RawEvent {
  return { getType: () => type, getPath: () => path } as unknown as RawEvent;
}

describe('WatchRouter', () => {
  test('one stable dispatcher per (kind, path); watchers deduplicated and fired once', () => {
    const router = new WatchRouter(NOOP_LOGGER);
    const seen: ZkWatchEvent[] = [];
    const w = (e: ZkWatchEvent): void => {
      seen.push(e);
    };
    const d = router.dispatcher('data', '/a');
    expect(router.dispatcher('data', '/a')).toBe(d);
    expect(router.dispatcher('child', '/a')).not.toBe(d);
    for (let i = 0; i < 100; i++) router.add('data', '/a', w);
    expect(router.size()).toBe(1);
    d(raw(RAW_EVENT_TYPES.dataChanged, '/a'));
    d(raw(RAW_EVENT_TYPES.dataChanged, '/a'));
    expect(seen).toEqual([{ type: 'dataChanged', path: '/a' }]);
    expect(router.size()).toBe(0);
  });

  test('a throwing watcher does not stop the others; close forgets everything', () => {
    const router = new WatchRouter(NOOP_LOGGER);
    let calls = 0;
    router.add('child', '/a', () => {
      throw new Error('boom');
    });
    router.add('child', '/a', () => calls++);
    router.dispatcher('child', '/a')(raw(RAW_EVENT_TYPES.childrenChanged, '/a'));
    expect(calls).toBe(1);
    router.add('exist', '/b', () => calls++);
    router.close();
    router.add('exist', '/b', () => calls++);
    router.dispatcher('exist', '/b')(raw(RAW_EVENT_TYPES.created, '/b'));
    expect(calls).toBe(1);
  });
});
