/**
 * The background half of `wharf up` (`wharf up --supervisor <mode>`): runs the
 * {@link PlatformSupervisor}, reports `ready`/`failed` to the `wharf up` that spawned it, and stops
 * everything on SIGTERM/SIGINT/SIGHUP — or, when attached, as soon as that `wharf up` goes away.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { isWharfError } from '@wharf/model';
import { createLogger } from '@wharf/observability';
import { type UpConfig } from '@wharf/platform';
import { type CliContext } from '../context';
import { directorsOwnZooKeeper, resolveDirectorEntry, resolveServiceEntries } from '@wharf/platform';
import { PlatformSupervisor } from '@wharf/platform';
import { type SupervisorMode, parentLogger, sendToParent, teeLogger } from './supervisor-protocol';

/** The example plan suggested once the platform is up, relative to the repository root. */
export const EXAMPLE_PLAN = join('deploy', 'examples', 'etcd-3-zones.json');

/** Runs the platform until asked to stop; 0 after a clean stop, 1 when the start failed. */
export async function runSupervisor(
  config: UpConfig,
  mode: SupervisorMode,
  ctx: CliContext,
): Promise<number> {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      ctx.stdout.write(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = teeLogger(
    createLogger({ service: 'wharf-up', level: config.logLevel, stream }),
    parentLogger(ctx.parent, config.logLevel === 'debug' ? 'debug' : 'info'),
  );
  let supervisor: PlatformSupervisor | undefined;
  let stopRequested = false;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const stop = (reason: string): void => {
    if (stopRequested) return;
    stopRequested = true;
    logger.info('stopping the platform', { reason });
    void (supervisor?.close() ?? Promise.resolve()).then(resolveStopped);
  };
  const removeSignalHandler = ctx.onShutdownSignal((signal) => stop(signal));
  if (mode === 'attached') ctx.parent?.onDisconnect(() => stop('wharf up went away'));

  try {
    const fromDir = dirname(ctx.cliPath);
    supervisor = new PlatformSupervisor({
      config,
      detached: mode === 'detached',
      entries: resolveServiceEntries(fromDir, config.servicesRoot),
      ...optional(
        'directorEntry',
        directorsOwnZooKeeper(config) ? resolveDirectorEntry(fromDir, config.servicesRoot) : undefined,
      ),
      baseEnv: ctx.env,
      execPath: ctx.execPath,
      logger,
      ...optional('examplePlan', findUp(fromDir, EXAMPLE_PLAN)),
    });
    if (stopRequested) throw new Error('stopped before the start');
    const info = await supervisor.start();
    logger.info('platform ready', { apiUrl: info.apiUrl, processes: info.processes });
    sendToParent(ctx.parent, { type: 'ready', info });
  } catch (err) {
    logger.error('platform start failed', { err });
    const error = isWharfError(err)
      ? { code: err.code, message: err.message, details: err.details }
      : { code: 'WHARF_INTERNAL', message: err instanceof Error ? err.message : String(err) };
    sendToParent(ctx.parent, { type: 'failed', error });
    await supervisor?.close();
    removeSignalHandler();
    return 1;
  }
  await stopped;
  removeSignalHandler();
  logger.info('platform stopped');
  return 0;
}

/** The first `<dir>/<relative>` that exists, walking up from `fromDir`. */
export function findUp(fromDir: string, relative: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, relative))) return join(dir, relative);
    if (dirname(dir) === dir) return undefined;
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
