// Watches what a scenario waits for, from the bench's own session: attempts finishing (plan →
// success/error, with the attempt's step durations) and route entries changing. Tree caches, so
// waiting costs watch events, not polling reads.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { TreeCache } = require('@wharf/zk');
const { parseDocument } = require('@wharf/model');

const FINISHED = new Set(['success', 'error', 'cancelled']);

/** Records when each awaited plan's attempt finishes. */
export class AttemptWatcher {
  constructor(zk) {
    this.expected = new Map(); // planId → { deployment, writtenAt, resolve }
    this.done = new Map(); // planId → { at, attempt }
    this.cache = new TreeCache(zk, '/deployments', {
      depth: 3,
      filter: (path, depth) =>
        depth === 1 || (depth === 2 && path.endsWith('/plan')) || (depth === 3 && path.endsWith('/attempt')),
    });
    const seen = (event) => this.onNode(event.path, event.node);
    this.cache.on('added', seen);
    this.cache.on('updated', seen);
  }

  start() {
    return this.cache.start();
  }

  close() {
    return this.cache.close();
  }

  /** Says a plan was written at `writtenAt`; resolves when its attempt finished. */
  expect(planId, writtenAt) {
    return new Promise((resolve) => {
      const already = this.done.get(planId);
      if (already) return resolve(already);
      this.expected.set(planId, { writtenAt, resolve });
    });
  }

  onNode(path, node) {
    if (!path.endsWith('/attempt')) return;
    const at = performance.now();
    let attempt;
    try {
      attempt = parseDocument('plan-attempt', node.data);
    } catch {
      return;
    }
    if (!FINISHED.has(attempt.status) || this.done.has(attempt.plan_id)) return;
    const result = { at, attempt };
    this.done.set(attempt.plan_id, result);
    const waiting = this.expected.get(attempt.plan_id);
    if (waiting) {
      this.expected.delete(attempt.plan_id);
      waiting.resolve(result);
    }
  }
}

/** Calls `onRoute(deploymentId, route, at)` for every route entry written. */
export function watchRoutes(zk, onRoute) {
  const cache = new TreeCache(zk, '/routes', { depth: 1 });
  const seen = (event) => {
    const id = event.path.slice('/routes/'.length);
    if (!id || id.includes('/')) return;
    try {
      onRoute(id, parseDocument('route', event.node.data), performance.now());
    } catch {
      // a half-written or foreign document: not this bench's concern
    }
  };
  cache.on('added', seen);
  cache.on('updated', seen);
  return cache;
}
