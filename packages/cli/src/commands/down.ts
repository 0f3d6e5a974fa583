/**
 * `wharf down`: stops what `$WHARF_HOME/run/platform.json` lists. The supervisor is asked first
 * (it stops services, then ZooKeeper, in order); whatever still runs after that — or when the
 * supervisor is gone — is stopped group by group (SIGTERM, bounded wait, SIGKILL), services
 * before ZooKeeper. Then platform.json is removed.
 */
import { resolve } from 'node:path';
import { DEFAULT_HOME, DEFAULT_STOP_TIMEOUT_S } from '../config/up-config';
import { parseInteger } from '../config/values';
import { type CliContext } from '../context';
import { formatTable } from '../output/format';
import {
  type ProcessIdentity,
  type StopOutcome,
  sendSignal,
  stopProcessGroup,
  waitUntil,
} from '@wharf/supervise';
import {
  type ProcessRecord,
  isRecordedRunning,
  platformFilePath,
  readPlatformFile,
  removePlatformFile,
} from '@wharf/platform';
import { grownDirectorRecords } from './director-add';
import { isSupervisorRunning } from './supervisor-protocol';

/**
 * How long `down` waits for the supervisor to stop everything itself: its per-service grace
 * ({@link DEFAULT_STOP_TIMEOUT_S}) plus ZooKeeper's, with room to spare.
 */
export const SUPERVISOR_STOP_TIMEOUT_S = 45;

/** `wharf down` options. */
export interface DownOptions {
  home?: string;
  timeout?: string;
  json?: boolean;
}

/** Runs `wharf down`; 0 when nothing recorded is left running. */
export async function runDown(options: DownOptions, ctx: CliContext): Promise<number> {
  const home = resolve(ctx.cwd, options.home ?? ctx.env.WHARF_HOME ?? DEFAULT_HOME);
  const graceMs =
    (options.timeout ? parseInteger('--timeout', options.timeout, 1, 600) : DEFAULT_STOP_TIMEOUT_S) * 1000;
  const record = await readPlatformFile(home);
  if (record === undefined) {
    if (options.json)
      ctx.stdout.write(`${JSON.stringify({ stopped: [], message: 'no platform recorded' })}\n`);
    else ctx.stdout.write(`no platform recorded in ${platformFilePath(home)}; nothing to stop\n`);
    return 0;
  }
  // Directors `wharf director add` started run beside the supervisor's: stopped with them.
  record.services.push(...(await grownDirectorRecords(home)));
  const results = new Map<string, StopOutcome | 'stopped'>();
  const live = () => record.services.filter(isRecordedRunning);
  const liveBefore = new Set(live().map((s) => s.id));

  if (isSupervisorRunning(record)) {
    sendSignal(record.supervisor_pid, 'SIGTERM');
    const done = await waitUntil(
      () => !isSupervisorRunning(record),
      SUPERVISOR_STOP_TIMEOUT_S * 1000 + graceMs,
    );
    if (!done) sendSignal(record.supervisor_pid, 'SIGKILL', true);
  }
  const remaining = live();
  for (const service of record.services) {
    if (liveBefore.has(service.id) && !remaining.includes(service)) results.set(service.id, 'stopped');
  }
  // ZooKeeper last (services close their sessions first); unless `--directors 0` the directors run
  // it, and a stopped director stops its member, so they go last too.
  const holdsZooKeeper = (s: { service: string }) => s.service === 'zookeeper' || s.service === 'director';
  await stopAll(
    remaining.filter((s) => !holdsZooKeeper(s)),
    graceMs,
    results,
  );
  await stopAll(remaining.filter(holdsZooKeeper), graceMs, results);

  const survivors = live().map((s) => s.id);
  if (survivors.length === 0) await removePlatformFile(home);
  printResults(record.services, results, survivors, options.json === true, ctx);
  if (survivors.length > 0) {
    ctx.stderr.write(`error WHARF_INTERNAL: still running after SIGKILL: ${survivors.join(', ')}\n`);
    return 1;
  }
  return 0;
}

async function stopAll(
  services: readonly ProcessRecord[],
  graceMs: number,
  results: Map<string, StopOutcome | 'stopped'>,
): Promise<void> {
  await Promise.all(
    services.map(async (service) =>
      results.set(
        service.id,
        await stopProcessGroup(service.pid, {
          graceMs,
          identity: identityOf(service),
          commandMatch: service.command_match,
        }),
      ),
    ),
  );
}

function printResults(
  services: readonly ProcessRecord[],
  results: ReadonlyMap<string, string>,
  survivors: readonly string[],
  json: boolean,
  ctx: CliContext,
): void {
  const rows = services.map((s) => ({
    id: s.id,
    service: s.service,
    pid: s.pid,
    result: survivors.includes(s.id) ? 'still-running' : (results.get(s.id) ?? 'not-running'),
  }));
  if (json) {
    ctx.stdout.write(`${JSON.stringify({ stopped: rows }, null, 2)}\n`);
    return;
  }
  const table = formatTable(
    ['ID', 'SERVICE', 'PID', 'RESULT'],
    rows.map((r) => [r.id, r.service, String(r.pid), r.result]),
  );
  ctx.stdout.write(`${[...table, survivors.length === 0 ? 'Wharf is down.' : ''].join('\n')}\n`);
}

/** The recorded identity of `service`: pid and, where recorded, start time. */
function identityOf(service: ProcessRecord): ProcessIdentity {
  return { pid: service.pid, ...(service.start_time === undefined ? {} : { startTime: service.start_time }) };
}
