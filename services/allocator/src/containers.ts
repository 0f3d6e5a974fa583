/** Reading the runtime's containers into what the reconciler and recovery look at. */
import { createHash } from 'node:crypto';
import { type ContainerInfo } from '@wharf/runtime';
import { type PortMap } from './ports';
import { type LabelledContainer } from './recovery';

/** Label keys every container of this allocator carries. */
export const LABELS = {
  allocator: 'wharf.allocator',
  deployment: 'wharf.deployment',
  instance: 'wharf.instance',
  stack: 'wharf.stack',
  fingerprint: 'wharf.fingerprint',
  generation: 'wharf.generation',
  ports: 'wharf.ports',
} as const;

/** The allocator's view of a runtime container; undefined when it lacks the instance label. */
export function toLabelled(info: ContainerInfo, now: number): LabelledContainer | undefined {
  const instanceId = info.labels[LABELS.instance];
  if (!instanceId) return undefined;
  const running = info.state === 'running';
  const generation = Number(info.labels[LABELS.generation]);
  const container: LabelledContainer = { id: info.id, instanceId, running };
  if (!running && info.state === 'exited') {
    container.exit = { code: info.exitCode ?? null, signal: info.signal ?? null, at: info.finishedAt ?? now };
  }
  const deploymentId = info.labels[LABELS.deployment];
  if (deploymentId) container.deploymentId = deploymentId;
  const fingerprint = info.labels[LABELS.fingerprint];
  if (fingerprint) container.fingerprint = fingerprint;
  if (Number.isInteger(generation) && generation > 0) container.generation = generation;
  const ports = parsePorts(info.labels[LABELS.ports]) ?? info.ports;
  if (Object.keys(ports).length > 0) container.ports = ports;
  return container;
}

function parsePorts(text: string | undefined): PortMap | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object') return undefined;
    const entries = Object.entries(value as Record<string, unknown>).filter(
      (e): e is [string, number] => typeof e[1] === 'number' && Number.isInteger(e[1]),
    );
    return Object.fromEntries(entries);
  } catch {
    return undefined;
  }
}

/** Longest container name the runtimes accept (a DNS label). */
const MAX_CONTAINER_NAME_LENGTH = 63;
/** Hash characters that keep a shortened name unique. */
const NAME_HASH_LENGTH = 8;

/**
 * `wharf-<allocator>-<instance>` when it fits in 63 characters; otherwise the instance id cut
 * short plus a hash of both ids (instance ids are unique, the hash keeps the cut ones apart).
 */
export function containerName(allocatorId: string, instanceId: string): string {
  const full = `wharf-${allocatorId}-${instanceId}`;
  if (full.length <= MAX_CONTAINER_NAME_LENGTH) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, NAME_HASH_LENGTH);
  return `${instanceId.slice(0, MAX_CONTAINER_NAME_LENGTH - NAME_HASH_LENGTH - 1)}-${hash}`;
}
