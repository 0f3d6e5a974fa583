// Fleet scenarios. Each takes the bench context { zk, fleet, attempts, routes } and returns its
// raw samples; run.mjs turns them into medians and percentiles.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createDeployment, eachLimited, httpPlan, submitPlan } = require('@wharf/simulator');

/** Deployment writes in flight at once (as many api requests at once). */
const WRITE_CONCURRENCY = 64;
/** How long a scenario may wait for its last plan before giving up (and reporting what finished). */
const SCENARIO_TIMEOUT_MS = 900_000;

/** Resolves `value` after `ms` without keeping the process alive (a scenario's give-up timer). */
const giveUpAfter = (ms, value) =>
  new Promise((resolve) => {
    setTimeout(() => resolve(value), ms).unref();
  });

const stepMs = (attempt, stepId) =>
  attempt.plan_attempt_log.find((s) => s.step_id === stepId)?.duration_in_millis ?? undefined;

/** Writes `plans` (id, plan, write function) and waits for every attempt to finish. */
async function runPlans(ctx, plans, write) {
  const samples = [];
  const began = performance.now();
  const waits = [];
  await eachLimited(plans, WRITE_CONCURRENCY, async (plan) => {
    const writtenAt = performance.now();
    await write(plan);
    waits.push(
      ctx.attempts.expect(plan.plan_id, writtenAt).then(({ at, attempt }) => {
        samples.push({
          deployment: plan.deployment_id,
          instances: plan.resources.http[0].plan.cluster_topology[0].zone_count,
          planToDoneMs: at - writtenAt,
          doneAt: at,
          status: attempt.status,
          placementMs: stepMs(attempt, 'allocate-instances'),
          // Time of the attempt spent outside its steps (saves between them, the completion write).
          betweenStepsMs:
            Date.parse(attempt.attempt_end_time ?? '') -
            Date.parse(attempt.attempt_start_time) -
            attempt.plan_attempt_log.reduce((n, st) => n + (st.duration_in_millis ?? 0), 0),
          gaps: attempt.plan_attempt_log.map((st, i, log) =>
            i === 0
              ? Date.parse(st.started) - Date.parse(attempt.attempt_start_time)
              : Date.parse(st.started) - Date.parse(log[i - 1].completed ?? st.started),
          ),
          steps: Object.fromEntries(
            attempt.plan_attempt_log.map((st) => [st.step_id, st.duration_in_millis ?? 0]),
          ),
          startedAfterMs:
            Date.parse(attempt.attempt_start_time) - (Date.now() - (performance.now() - writtenAt)),
          // The constructor's own clock, on the bench's time line: when it began and ended the attempt.
          attemptStartAt: performance.now() - (Date.now() - Date.parse(attempt.attempt_start_time)),
          attemptEndAt: performance.now() - (Date.now() - Date.parse(attempt.attempt_end_time ?? '')),
        });
      }),
    );
  });
  const writeMs = performance.now() - began;
  const timeout = giveUpAfter(SCENARIO_TIMEOUT_MS, 'timeout');
  const outcome = await Promise.race([Promise.all(waits).then(() => 'done'), timeout]);
  const end = samples.reduce((m, s) => Math.max(m, s.doneAt), began);
  return { samples, wallMs: end - began, writeMs, timedOut: outcome === 'timeout', written: plans.length };
}

/** `count` deployments created at once: one in `threeZoneEvery` is three-zone, the rest single. */
export async function createMany(ctx, { count, threeZoneEvery, memoryMb }) {
  const plans = Array.from({ length: count }, (_, i) =>
    httpPlan(`dep-${i}`, { planId: `create-${i}`, zoneCount: i % threeZoneEvery === 0 ? 3 : 1, memoryMb }),
  );
  return runPlans(ctx, plans, (plan) => createDeployment(ctx.zk, plan));
}

/**
 * Loses `share` of the allocators that host instances, at once, and times until every route that
 * had an instance on them shows it unhealthy (the constructor's allocator-loss path: live node
 * gone → grace → route health pass). Returns per-deployment times since the loss.
 */
export async function loseHosts(ctx, { share }) {
  const hosting = new Set();
  for (const route of ctx.routes.latest.values())
    for (const i of route.instances) hosting.add(i.allocator_id);
  const candidates = ctx.fleet.allocators.filter((a) => hosting.has(a.id));
  const lost = candidates.slice(0, Math.max(1, Math.round(ctx.fleet.allocators.length * share)));
  const lostIds = new Set(lost.map((a) => a.id));
  const affected = [...ctx.routes.latest.entries()]
    .filter(([, r]) => r.instances.some((i) => lostIds.has(i.allocator_id)))
    .map(([d]) => d);
  const began = performance.now();
  const times = new Map();
  const settled = (d) => {
    const r = ctx.routes.latest.get(d);
    return r && r.instances.every((i) => !lostIds.has(i.allocator_id) || !i.healthy);
  };
  const done = new Promise((resolve) => {
    ctx.routes.listener = (d, _route, at) => {
      if (!times.has(d) && affected.includes(d) && settled(d)) times.set(d, at - began);
      if (times.size === affected.length) resolve();
    };
  });
  await ctx.fleet.loseHosts(lost);
  for (const d of affected) if (settled(d)) times.set(d, 0);
  const timeout = giveUpAfter(SCENARIO_TIMEOUT_MS, 'timeout');
  const outcome =
    times.size === affected.length ? 'done' : await Promise.race([done.then(() => 'done'), timeout]);
  ctx.routes.listener = undefined;
  return {
    lost: lost.length,
    affected,
    times: [...times.values()],
    timedOut: outcome === 'timeout',
    lostIds,
  };
}

/**
 * A burst of plan changes: `count` deployments not touched by lost hosts get a bigger size at
 * once (grow_and_shrink: new instances placed and started, routes switched, old ones removed).
 */
export async function planBurst(ctx, { count, memoryMb, avoid }) {
  const eligible = [...ctx.routes.latest.entries()]
    .filter(([, r]) => r.instances.every((i) => !avoid.has(i.allocator_id)))
    .map(([d, r]) => ({ d, zones: r.instances.length }))
    .sort((a, b) => a.d.localeCompare(b.d, 'en', { numeric: true }))
    .slice(0, count);
  const plans = eligible.map(({ d, zones }) =>
    httpPlan(d, { planId: `resize-${d}`, zoneCount: zones, memoryMb, action: 'update' }),
  );
  return runPlans(ctx, plans, (plan) => submitPlan(ctx.zk, plan));
}

/**
 * The raw write rate of this ZooKeeper from one session: `count` creates then `count` setData,
 * `inFlight` requests pipelined. The ceiling any placement rate is measured against.
 */
export async function rawWriteRate(zk, { count, inFlight }) {
  const root = '/bench-raw';
  await zk.mkdirp(root);
  const items = Array.from({ length: count }, (_, i) => `${root}/n-${i}`);
  const data = Buffer.alloc(512, 'x'); // about a status document's size
  let t = performance.now();
  await eachLimited(items, inFlight, (p) => zk.create(p, data));
  const createPerSec = count / ((performance.now() - t) / 1000);
  t = performance.now();
  await eachLimited(items, inFlight, (p) => zk.set(p, data, -1));
  const setPerSec = count / ((performance.now() - t) / 1000);
  await eachLimited(items, inFlight, (p) => zk.delete(p));
  await zk.delete(root);
  return { createPerSec, setPerSec };
}
