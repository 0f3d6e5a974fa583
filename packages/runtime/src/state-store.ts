/**
 * On-disk state of a process runtime: one directory per container under `<root>/containers/`,
 * holding `state.json` (spec + the identity of its running process) and `output.log`. The state
 * file is replaced atomically (write, fsync, rename) so a crash never leaves half a record.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type ProcessIdentity } from './proc';
import { type ContainerSpec } from './types';
import { validateContainerSpec } from './validate';

/** Format version of `state.json`. */
const RECORD_VERSION = 1;
/** Random bytes in a container id (64 bits, printed as 16 hex digits). */
const ID_BYTES = 8;
const ID_REGEX = /^[0-9a-f]{16}$/;

/** What the runtime persists about one container. */
export interface ContainerRecord {
  version: typeof RECORD_VERSION;
  id: string;
  spec: ContainerSpec;
  createdAt: number;
  /** `running` on disk means "was running when last written": confirmed against `/proc` on load. */
  state: 'created' | 'running' | 'exited';
  /** Identity of the process group leader of the current or last run. */
  process?: ProcessIdentity;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number | null;
  signal?: string | null;
}

/** A new random container id. */
export function newContainerId(): string {
  return randomBytes(ID_BYTES).toString('hex');
}

/** True when `value` has the shape of a container id (safe as a directory name). */
export function isContainerId(value: string): boolean {
  return ID_REGEX.test(value);
}

/** Paths of one runtime root. */
export class StateStore {
  /** Directory holding one sub-directory per container. */
  readonly containersDir: string;

  constructor(readonly rootDir: string) {
    this.containersDir = join(rootDir, 'containers');
  }

  /** Directory of container `id`. */
  dirOf(id: string): string {
    return join(this.containersDir, id);
  }

  /** Combined stdout/stderr log of container `id`. */
  logPathOf(id: string): string {
    return join(this.dirOf(id), 'output.log');
  }

  /** Creates the root layout (owner-only: logs and specs may hold secrets). */
  async init(): Promise<void> {
    await mkdir(this.containersDir, { recursive: true, mode: 0o700 });
  }

  /** Writes `record` atomically. */
  async write(record: ContainerRecord): Promise<void> {
    const dir = this.dirOf(record.id);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, 'state.json.tmp');
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(record)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(dir, 'state.json'));
  }

  /** Deletes container `id`'s directory (state and log). */
  async delete(id: string): Promise<void> {
    await rm(this.dirOf(id), { recursive: true, force: true });
  }

  /** Every readable record; unreadable ones are returned as `{ id, error }` for the caller to log. */
  async loadAll(): Promise<Array<ContainerRecord | { id: string; error: unknown }>> {
    const names = await readdir(this.containersDir).catch(() => [] as string[]);
    const out: Array<ContainerRecord | { id: string; error: unknown }> = [];
    for (const id of names.filter(isContainerId).sort()) {
      try {
        out.push(parseRecord(id, await readFile(join(this.dirOf(id), 'state.json'), 'utf8')));
      } catch (error) {
        out.push({ id, error });
      }
    }
    return out;
  }
}

/** Parses and checks one `state.json`; throws on anything unexpected. */
export function parseRecord(id: string, text: string): ContainerRecord {
  const raw = JSON.parse(text) as Partial<ContainerRecord>;
  if (raw.version !== RECORD_VERSION || raw.id !== id) throw new Error('state file version or id mismatch');
  if (raw.state !== 'created' && raw.state !== 'running' && raw.state !== 'exited') {
    throw new Error('state file has an unknown state');
  }
  if (typeof raw.createdAt !== 'number') throw new Error('state file lacks createdAt');
  const p = raw.process;
  if (p !== undefined && !(Number.isInteger(p.pid) && p.pid > 1 && typeof p.startTicks === 'string')) {
    throw new Error('state file has a bad process identity');
  }
  return { ...(raw as ContainerRecord), spec: validateContainerSpec(raw.spec) };
}
