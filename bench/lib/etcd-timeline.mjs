// etcd's own timeline of one member, read from its log (a Docker container's `docker logs`, or the
// process runtime's `output.log`), and the per-step summary the plan-to-routable benchmarks print.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `docker args…` → trimmed stdout ('' when the engine does not answer). */
export function docker(args) {
  return (spawnSync('docker', args, { encoding: 'utf8' }).stdout ?? '').trim();
}

/** etcd's zap log lines as `{ msg, ts }`, `ts` in ms after `wall0`. */
function parseEtcdLog(text, wall0) {
  return text.split('\n').flatMap((l) => {
    try {
      const d = JSON.parse(l);
      return [{ msg: String(d.msg), ts: Date.parse(d.ts) - wall0 }];
    } catch {
      return [];
    }
  });
}

/**
 * Milestones in ms after the POST: process up (first log line), the bootstrap membership check
 * ("opened backend db" → "starting local member"), serving peers, all peers connected (etcd then
 * fast-forwards its election ticks), leader known, member published, serving clients.
 */
function milestones(lines, tag) {
  if (process.env.BENCH_DUMP_ETCD) for (const l of lines) console.log(`    ${tag} ${l.ts} ${l.msg}`);
  const first = (re) => lines.find((l) => re.test(l.msg))?.ts;
  const opened = first(/^opened backend db/);
  const member = first(/^starting local member/);
  return {
    etcdUp: lines[0]?.ts,
    checkMs: opened === undefined || member === undefined ? undefined : member - opened,
    serving: first(/^now serving peer/),
    forwarded: first(/fast-forwarding election ticks/),
    leader: first(/elected leader|became leader/),
    published: first(/^published local member/),
    ready: first(/^serving client traffic|^ready to serve client requests/),
  };
}

/** Timeline of the allocator's current etcd container (Docker runtime). */
export function dockerTimeline(aid, wall0) {
  const cid = docker(['ps', '-q', '--filter', `label=wharf.allocator=${aid}`]);
  if (!cid) return {};
  const engineStarted = Date.parse(docker(['inspect', '-f', '{{.State.StartedAt}}', cid])) - wall0;
  const out = spawnSync('docker', ['logs', cid], { encoding: 'utf8' });
  const lines = parseEtcdLog(`${out.stdout}${out.stderr}`, wall0);
  const m = milestones(lines, aid.slice(-1));
  return { engineStarted, execMs: m.etcdUp === undefined ? undefined : m.etcdUp - engineStarted, ...m };
}

/**
 * Timeline of the allocator's etcd process for `deployment` (process runtime): its log is
 * `<home>/allocators/<aid>/runtime/containers/<id>/output.log`, the container named in `state.json`.
 */
export function processTimeline(home, aid, deployment, wall0) {
  const dir = join(home, 'allocators', aid, 'runtime', 'containers');
  if (!existsSync(dir)) return {};
  for (const id of readdirSync(dir)) {
    try {
      const state = JSON.parse(readFileSync(join(dir, id, 'state.json'), 'utf8'));
      if (state.spec?.labels?.['wharf.deployment'] !== deployment) continue;
      return milestones(
        parseEtcdLog(readFileSync(join(dir, id, 'output.log'), 'utf8'), wall0),
        aid.slice(-1),
      );
    } catch {
      // a container being removed: skip it
    }
  }
  return {};
}

/** Median of the defined numbers in `xs` (lower middle), undefined when none. */
export function median(xs) {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  return s.length === 0 ? undefined : s[Math.floor((s.length - 1) / 2)];
}

const MILESTONES = [
  'reserved',
  'created',
  'started',
  'etcdUp',
  'serving',
  'forwarded',
  'leader',
  'ready',
  'healthy',
];

/**
 * Prints the per-step medians of one variant's runs (`{ ms, steps, members }` each): plan steps,
 * first/last member milestones, and the gaps that add up to plan-to-routable.
 */
export function printBreakdown(breakdown) {
  const stepIds = [...new Set(breakdown.flatMap((b) => Object.keys(b.steps)))];
  console.log(
    '  median per plan step (ms):',
    JSON.stringify(Object.fromEntries(stepIds.map((s) => [s, median(breakdown.map((b) => b.steps[s]))]))),
  );
  const pick = (b, k) => b.members.map((m) => m[k]).filter((x) => typeof x === 'number');
  const first = (b, k) => (pick(b, k).length === 0 ? undefined : Math.min(...pick(b, k)));
  const last = (b, k) => (pick(b, k).length === 0 ? undefined : Math.max(...pick(b, k)));
  const row = (f) =>
    JSON.stringify(Object.fromEntries(MILESTONES.map((k) => [k, median(breakdown.map((b) => f(b, k)))])));
  console.log('  median ms after POST, first member:', row(first));
  console.log('  median ms after POST, last member: ', row(last));
  // The path in five legs, each a median over runs of (later milestone − earlier one).
  const gap = (f) => median(breakdown.map(f));
  const legs = {
    'POST->last started': gap((b) => last(b, 'started')),
    'last started->all peers connected': gap((b) => last(b, 'forwarded') - last(b, 'started')),
    'all peers connected->leader (first election)': gap((b) => first(b, 'leader') - last(b, 'forwarded')),
    'leader->last ready (publish)': gap((b) => last(b, 'ready') - first(b, 'leader')),
    'leader->first healthy (probe)': gap((b) => first(b, 'healthy') - first(b, 'leader')),
    'last healthy->routable (status, constructor, route, proxy)': gap((b) => b.ms - last(b, 'healthy')),
  };
  console.log('  median legs (ms):', JSON.stringify(legs));
  const all = (k) => breakdown.flatMap((b) => b.members.map((m) => m[k]));
  console.log(
    `  median per member: container create ${median(all('createMs'))} ms, container start ${median(all('startMs'))} ms, ` +
      `engine start -> etcd first log ${median(all('execMs'))} ms, etcd bootstrap check ${median(all('checkMs'))} ms`,
  );
  const stalled = breakdown.filter((b) => b.members.some((m) => (m.checkMs ?? 0) >= 900)).length;
  console.log(`  runs with an etcd bootstrap check >= 900 ms: ${stalled} of ${breakdown.length}`);
}
