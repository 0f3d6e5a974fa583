/** A container's resource usage, read from the engine's one-shot stats (for allocator metrics). */
import { type ContainerStats as DockerStats } from 'dockerode';

/** Nanoseconds per second (the engine reports CPU time in ns). */
const NS_PER_S = 1e9;

/** Memory and CPU usage of one running container. */
export interface ContainerStats {
  id: string;
  /** Memory in use, page cache excluded (what `docker stats` shows). */
  memoryBytes: number;
  /** The container's memory limit. */
  memoryLimitBytes: number;
  /** CPU time consumed since the container started, in seconds (a counter). */
  cpuSeconds: number;
}

/** Maps the engine's stats document (cgroup v1 or v2). */
export function toContainerStats(id: string, raw: DockerStats): ContainerStats {
  const memory = raw.memory_stats ?? {};
  const detail = (memory.stats ?? {}) as Record<string, number | undefined>;
  // cgroup v1 reports `total_inactive_file`, v2 `inactive_file`: docker's CLI subtracts it too.
  const cache = detail.total_inactive_file ?? detail.inactive_file ?? 0;
  const usage = memory.usage ?? 0;
  return {
    id,
    memoryBytes: Math.max(0, usage - cache),
    memoryLimitBytes: memory.limit ?? 0,
    cpuSeconds: (raw.cpu_stats?.cpu_usage?.total_usage ?? 0) / NS_PER_S,
  };
}
