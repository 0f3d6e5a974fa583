/** Test helpers shared by the proxy's unit tests (not exported from the package). */
import { SCHEMA_VERSION, type RouteEntry, type RouteInstance } from '@wharf/model';
import type { Clock, TimerHandle } from '../src/clock';

/** A route instance with sensible defaults. */
export function instance(id: string, overrides: Partial<RouteInstance> = {}): RouteInstance {
  return {
    instance_id: id,
    allocator_id: 'alloc-1',
    ref_id: 'main',
    zone: 'zone-a',
    host: '127.0.0.1',
    port: 20000,
    healthy: true,
    ...overrides,
  };
}

/** A route entry for `deployment` with `instances`. */
export function routeEntry(deployment: string, instances: RouteInstance[]): RouteEntry {
  return {
    schema_version: SCHEMA_VERSION,
    deployment_id: deployment,
    instances,
    updated: '2026-01-01T00:00:00.000Z',
  };
}

/** A clock whose time only moves when the test says so. */
export class ManualClock implements Clock {
  private time = 1_000_000;
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.time;
  }

  monotonic(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.time + ms, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Pending, uncancelled timers. */
  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.time = Math.max(this.time, due.at);
      due.cancelled = true;
      due.fn();
    }
    this.time = end;
    this.timers = this.timers.filter((t) => !t.cancelled);
  }
}
