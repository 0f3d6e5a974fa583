/**
 * `$WHARF_HOME/run/platform.json`: what `wharf up` started (pids, ports, ids, log files), so that
 * `wharf down` and `wharf status` — separate processes, maybe much later — can find it.
 * Written atomically (temp file + rename): a reader never sees half a file.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WharfError, isValidId } from '@wharf/model';
import { isSameProcess } from '@wharf/supervise';

/** Version of the file's layout; a reader refuses others rather than guessing. */
export const PLATFORM_FILE_VERSION = 1;

/** Kinds of process a platform file lists. */
export type ProcessKind = 'zookeeper' | 'runner' | 'api' | 'constructor' | 'allocator' | 'proxy' | 'director';

/** One process of the platform. */
export interface ProcessRecord {
  id: string;
  service: ProcessKind;
  /** Leader of its own process group (spawned detached), so `-pid` signals the group. */
  pid: number;
  /** When it started (clock ticks after boot, `/proc`), so a reused pid is never taken for it. */
  start_time?: number;
  /** The simulated host it runs on (runners and their services). */
  host?: string;
  /** Address it serves on, when not 127.0.0.1. */
  address?: string;
  port?: number;
  metrics_port?: number;
  health_url?: string;
  log?: string;
  zone?: string;
  port_range?: string;
  capacity_mb?: number;
  /** A string the process's command line contains, checked before signalling a recorded pid. */
  command_match?: string;
  /** How many times the supervisor restarted it. */
  restarts?: number;
}

/** The whole file. */
export interface PlatformRecord {
  schema_version: typeof PLATFORM_FILE_VERSION;
  home: string;
  started: string;
  /** The `wharf up` process supervising everything; `wharf down` asks it to stop first. */
  supervisor_pid: number;
  /** The supervisor's start time (see {@link ProcessRecord.start_time}). */
  supervisor_start_time?: number;
  detached: boolean;
  /** `tls`: TLS-only with client certificates (`wharf up --secure`); probes need a certificate. */
  zookeeper: { connect_string: string; embedded: boolean; chroot?: string; tls?: boolean };
  /** `https://…` in secure mode (the api serves HTTPS with a certificate from the CA), else `http://…`. */
  api_url: string;
  /** Secure mode: the CA certificate file (PEM) that clients of `api_url` trust. */
  api_ca?: string;
  proxy_urls: string[];
  /** Every process, the embedded ZooKeeper included. */
  services: ProcessRecord[];
}

const PROCESS_KINDS: readonly ProcessKind[] = [
  'zookeeper',
  'runner',
  'api',
  'constructor',
  'allocator',
  'proxy',
  'director',
];

/** True while the process `record` names still runs: same start time where recorded, same program. */
export function isRecordedRunning(
  record: Pick<ProcessRecord, 'pid' | 'start_time' | 'command_match'>,
): boolean {
  const identity = {
    pid: record.pid,
    ...(record.start_time === undefined ? {} : { startTime: record.start_time }),
  };
  return isSameProcess(identity, record.command_match);
}

/** Path of the platform file under a WHARF_HOME. */
export function platformFilePath(home: string): string {
  return join(home, 'run', 'platform.json');
}

/** Parses and checks a platform file; throws `WHARF_VALIDATION` naming the first bad field. */
export function parsePlatformRecord(text: string, source = 'platform.json'): PlatformRecord {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw bad(source, '', `not JSON (${(err as Error).message})`);
  }
  if (!isObject(doc)) throw bad(source, '', 'expected an object');
  if (doc.schema_version !== PLATFORM_FILE_VERSION) {
    throw bad(
      source,
      'schema_version',
      `expected ${PLATFORM_FILE_VERSION}, got ${JSON.stringify(doc.schema_version)}`,
    );
  }
  for (const key of ['home', 'started', 'api_url'] as const) {
    if (typeof doc[key] !== 'string') throw bad(source, key, 'expected a string');
  }
  if (doc.api_ca !== undefined && typeof doc.api_ca !== 'string')
    throw bad(source, 'api_ca', 'expected a string');
  if (!isPid(doc.supervisor_pid)) throw bad(source, 'supervisor_pid', 'expected a pid');
  if (doc.supervisor_start_time !== undefined && !Number.isInteger(doc.supervisor_start_time))
    throw bad(source, 'supervisor_start_time', 'expected an integer');
  if (typeof doc.detached !== 'boolean') throw bad(source, 'detached', 'expected a boolean');
  const zk = doc.zookeeper;
  if (!isObject(zk) || typeof zk.connect_string !== 'string' || typeof zk.embedded !== 'boolean') {
    throw bad(source, 'zookeeper', 'expected {connect_string, embedded}');
  }
  if (!Array.isArray(doc.proxy_urls) || !doc.proxy_urls.every((u) => typeof u === 'string')) {
    throw bad(source, 'proxy_urls', 'expected an array of strings');
  }
  if (!Array.isArray(doc.services)) throw bad(source, 'services', 'expected an array');
  doc.services.forEach((entry, i) => checkProcess(source, entry, `services[${i}]`));
  return doc as unknown as PlatformRecord;
}

/** The platform file of `home`, or undefined when there is none. */
export async function readPlatformFile(home: string): Promise<PlatformRecord | undefined> {
  const file = platformFilePath(home);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parsePlatformRecord(text, file);
}

/** Writes the platform file atomically. */
export async function writePlatformFile(home: string, record: PlatformRecord): Promise<void> {
  const file = platformFilePath(home);
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}

/** Removes the platform file (no error when it is already gone). */
export async function removePlatformFile(home: string): Promise<void> {
  await rm(platformFilePath(home), { force: true });
}

function checkProcess(source: string, entry: unknown, path: string): void {
  if (!isObject(entry)) throw bad(source, path, 'expected an object');
  if (!isValidId(entry.id)) throw bad(source, `${path}.id`, 'expected a valid id');
  if (!PROCESS_KINDS.includes(entry.service as ProcessKind)) {
    throw bad(source, `${path}.service`, `expected one of ${PROCESS_KINDS.join(', ')}`);
  }
  if (!isPid(entry.pid)) throw bad(source, `${path}.pid`, 'expected a pid');
  for (const key of ['start_time', 'port', 'metrics_port', 'capacity_mb', 'restarts'] as const) {
    if (entry[key] !== undefined && !Number.isInteger(entry[key])) {
      throw bad(source, `${path}.${key}`, 'expected an integer');
    }
  }
  for (const key of [
    'host',
    'address',
    'health_url',
    'log',
    'zone',
    'port_range',
    'command_match',
  ] as const) {
    if (entry[key] !== undefined && typeof entry[key] !== 'string') {
      throw bad(source, `${path}.${key}`, 'expected a string');
    }
  }
}

function isPid(value: unknown): value is number {
  // pid 0 and 1 would make `kill(-pid)` signal our own group or every process: never accept them.
  return Number.isInteger(value) && (value as number) > 1;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(source: string, path: string, message: string): WharfError {
  return new WharfError('WHARF_VALIDATION', `${source}: ${path ? `${path}: ` : ''}${message}`, {
    details: [{ path: path || '/', message }],
  });
}
