/** Small helpers for the runtime's integration tests (temp dirs, polling, pid checks). */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '@wharf/supervise';
import { type ExitEvent, type ContainerRuntime } from '../src';

/** Absolute path of the node binary running the tests: an argv[0] every test child can use. */
export const NODE = process.execPath;

/** A fresh temp directory (real path, so it passes the runtime's normalised-path check). */
export async function tempDir(prefix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await realpath(await mkdtemp(join(tmpdir(), `wharf-${prefix}-`)));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${String(lastError ?? '')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** True when a process with this pid exists and is not a zombie. */
export const pidAlive = isProcessAlive;

/** Collects a runtime's exit events. */
export function collectExits(runtime: ContainerRuntime): ExitEvent[] {
  const events: ExitEvent[] = [];
  runtime.on('exit', (event) => events.push(event));
  return events;
}

/** A node one-liner as argv. */
export function nodeArgv(script: string): string[] {
  return [NODE, '-e', script];
}
