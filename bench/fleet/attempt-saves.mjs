// Attempt saves in isolation: the CPU of serialising one create plan's attempt document at each
// of its saves, validated whole on every save (`serializeDocument`, before the sixth pass) or
// incrementally (`AttemptEncoder`), against the floor of not validating at all. Both run interleaved in one process, so the machine's load
// touches them alike. Usage: node bench/fleet/attempt-saves.mjs [--attempts 2000] [--rounds 5]
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const { serializeDocument } = require(join(root, 'packages/model/dist/index.js'));
const dist = join(root, 'services/constructor/dist');
const { AttemptEncoder } = require(join(dist, 'io/attempt-encoder.js'));
const { newAttempt, beginStep, logStep, endStep, finishAttempt } = require(join(dist, 'core/step-log.js'));

const { values } = parseArgs({
  options: { attempts: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '5' } },
});
const ATTEMPTS = Number(values.attempts);
const ROUNDS = Number(values.rounds);
/** The steps of a create plan and the lines each logs (as the constructor's steps do). */
const STEPS = [
  ['validate-plan-safety', 2],
  ['allocate-instances', 3],
  ['start-instances', 2],
  ['wait-until-running', 2],
  ['update-routing', 1],
  ['plan-completed', 1],
];
/** A state of the size a create plan's attempt carries (its plan and placements). */
const STATE = {
  cursor: 0,
  plan: { plan_id: 'p', cluster_topology: [{ ref_id: 'main', size: { value: 128, resource: 'memory' } }] },
  placements: Object.fromEntries(
    Array.from({ length: 2 }, (_, i) => [`d-main-${i}`, { allocator: `a${i}`, zone: 'z' }]),
  ),
};

/** Runs one attempt's saves through `encode`; returns the bytes written. */
function attemptSaves(n, encode) {
  let t = Date.parse('2026-12-07T00:00:00.000Z');
  let attempt = newAttempt({
    attemptId: `at-${n}`,
    planId: 'p',
    deploymentId: `d${n}`,
    leader: 'c',
    nowMs: t,
    state: STATE,
  });
  let bytes = encode(attempt).length;
  for (const [step, lines] of STEPS) {
    attempt = beginStep(attempt, step, ++t);
    for (let l = 0; l < lines; l++)
      attempt = logStep(attempt, step, 'line', ++t, { instance: `d${n}-main-${l}` });
    attempt = endStep(attempt, step, 'success', ++t);
    bytes += encode({ ...attempt, state: { ...STATE, cursor: t } }).length;
  }
  return bytes + encode(finishAttempt(attempt, 'success', ++t)).length;
}

const ways = {
  // The floor: the same bytes, not validated.
  unvalidated: () => (a) => Buffer.from(JSON.stringify(a)),
  whole: () => (a) => serializeDocument('plan-attempt', a),
  incremental: () => {
    const encoder = new AttemptEncoder();
    return (a) => encoder.encode(a);
  },
};
const spent = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, make] of Object.entries(ways)) {
    const start = process.cpuUsage();
    for (let n = 0; n < ATTEMPTS; n++) attemptSaves(n, make());
    const used = process.cpuUsage(start);
    spent[name].push((used.user + used.system) / 1000 / ATTEMPTS);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, xs] of Object.entries(spent))
  console.log(
    `${name}: ${median(xs).toFixed(3)} ms CPU per attempt (8 saves; median of ${ROUNDS} rounds: ${xs.map((x) => x.toFixed(3)).join(', ')})`,
  );
console.log(
  `load ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
