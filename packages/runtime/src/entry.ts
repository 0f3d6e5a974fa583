/** The in-memory view of one container of a `ProcessRuntime`, and its conversion to `ContainerInfo`. */
import { type ChildProcess } from 'node:child_process';
import { type ContainerRecord } from './state-store';
import { type ContainerInfo } from './types';

/** One container the runtime knows. */
export interface Entry {
  record: ContainerRecord;
  /** Our own child for the current run; absent for an adopted process (watched by polling). */
  child?: ChildProcess;
  /** Settles once the current run's exit has been recorded. */
  exited?: Promise<void>;
  /** Incremented on every start, so a late exit of an earlier run is ignored. */
  run: number;
  removing: boolean;
}

/** True when `labels` include every pair of `filter`. */
export function matchesLabels(labels: Record<string, string>, filter: Record<string, string>): boolean {
  return Object.entries(filter).every(([key, value]) => labels[key] === value);
}

/** The public view of an entry (a copy: callers cannot reach runtime state). */
export function toInfo(entry: Entry): ContainerInfo {
  const { record } = entry;
  const { spec } = record;
  const info: ContainerInfo = {
    id: record.id,
    name: spec.name,
    labels: { ...spec.labels },
    state: entry.removing ? 'removing' : record.state,
    createdAt: record.createdAt,
    hostAddress: spec.hostAddress,
    ports: { ...spec.ports },
    dataDir: spec.dataDir,
  };
  if (record.state === 'running' && record.process) info.pid = record.process.pid;
  if (record.startedAt !== undefined) info.startedAt = record.startedAt;
  if (record.finishedAt !== undefined) info.finishedAt = record.finishedAt;
  if (record.exitCode !== undefined) info.exitCode = record.exitCode;
  if (record.signal !== undefined) info.signal = record.signal;
  if (spec.image !== undefined) info.image = spec.image;
  return info;
}
