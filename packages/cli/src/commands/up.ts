/**
 * `wharf up`: validates the configuration, refuses to start over a running platform, then runs
 * the supervisor as a background process in its own process group (so a terminal's Ctrl-C reaches
 * only this process, which then stops the platform in order: services first, ZooKeeper last).
 * Attached (default): prints progress, the summary, and waits; Ctrl-C/SIGTERM stops everything.
 * `--detach`: returns once everything is healthy and leaves the platform running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WharfError } from '@wharf/model';
import { type UpConfig } from '@wharf/platform';
import { UP_ENV, type UpOptions, compileUpConfig, optionFlag } from '../config/up-config';
import { type CliContext } from '../context';
import { isRecordedRunning, readPlatformFile, removePlatformFile, platformFilePath } from '@wharf/platform';
import { resolveServiceEntries } from '@wharf/platform';
import { SUPERVISOR_MODES, type SupervisorMode, isSupervisorRunning } from './supervisor-protocol';
import { SupervisorWatch } from './supervisor-watch';
import { runSupervisor } from './up-supervisor';

/** `wharf up` options: the platform's configuration plus how to run it. */
export interface UpCommandOptions extends UpOptions {
  detach?: boolean;
  json?: boolean;
  /** Internal: run as the background supervisor in this mode. */
  supervisor?: string;
}

/** Runs `wharf up`. */
export async function runUp(options: UpCommandOptions, ctx: CliContext): Promise<number> {
  const config = compileUpConfig(options, ctx.env, ctx.cwd, { totalMemoryBytes: ctx.totalMemoryBytes });
  if (options.supervisor !== undefined) return runSupervisor(config, parseMode(options.supervisor), ctx);

  await refuseIfRunning(config.home);
  resolveServiceEntries(dirname(ctx.cliPath), config.servicesRoot);
  await mkdir(join(config.home, 'logs'), { recursive: true });
  const logFile = join(config.home, 'logs', 'wharf-up.log');
  const mode: SupervisorMode = options.detach ? 'detached' : 'attached';
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      ctx.execPath,
      [ctx.cliPath, 'up', '--supervisor', mode, ...supervisorFlags(options, config)],
      {
        cwd: ctx.cwd,
        env: ctx.env,
        detached: true,
        shell: false,
        stdio: ['ignore', fd, fd, 'ipc'],
      },
    );
  } finally {
    closeSync(fd);
  }
  return new SupervisorWatch(child, config, { mode, logFile, json: options.json === true }, ctx).result;
}

/** Throws `WHARF_CONFLICT` when platform.json lists live processes; removes a stale file. */
export async function refuseIfRunning(home: string): Promise<void> {
  const record = await readPlatformFile(home);
  if (record === undefined) return;
  const alive = record.services.filter(isRecordedRunning).map((s) => s.id);
  if (isSupervisorRunning(record)) alive.unshift('supervisor');
  if (alive.length > 0) {
    throw new WharfError(
      'WHARF_CONFLICT',
      `a platform is already running from ${home} (${alive.join(', ')}); stop it first with: npx wharf down`,
      { details: [{ path: platformFilePath(home), message: `live: ${alive.join(', ')}` }] },
    );
  }
  await removePlatformFile(home);
}

/** The flags that make the supervisor compute exactly this configuration (it inherits env and cwd). */
export function supervisorFlags(options: UpOptions, config: UpConfig): string[] {
  const flags = ['--home', config.home];
  for (const key of Object.keys(UP_ENV) as (keyof UpOptions)[]) {
    const value = options[key];
    if (key === 'home' || value === undefined || value === false) continue;
    // A boolean flag (`--secure`) is passed bare; the others with their value.
    if (value === true) flags.push(optionFlag(key));
    else flags.push(optionFlag(key), value);
  }
  return flags;
}

function parseMode(raw: string): SupervisorMode {
  if (!(SUPERVISOR_MODES as readonly string[]).includes(raw)) {
    throw new WharfError('WHARF_VALIDATION', `--supervisor: expected ${SUPERVISOR_MODES.join(' or ')}`);
  }
  return raw as SupervisorMode;
}
