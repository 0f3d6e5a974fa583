/**
 * Turns what the engine says about containers (inspect documents, `die` events, resyncs) into
 * exactly one exit event per run: a run is tracked from the moment it is seen running (keyed by
 * its `StartedAt`) and reported the first time it is seen ended, replaced or gone.
 */
import { type ContainerInspectInfo } from 'dockerode';
import { callerLabels, exitOf } from './docker-spec';
import { type ExitEvent } from './types';

/** One run seen running and not yet reported ended. */
interface LiveRun {
  startedAt: string;
  name: string;
  labels: Record<string, string>;
}

/** How a run ended, when known from elsewhere (a `die` event's `exitCode`). */
export type KnownExit = Pick<ExitEvent, 'exitCode' | 'signal'>;

/** The runs of one runtime; `report` receives each ended run once. */
export class RunTracker {
  private readonly live = new Map<string, LiveRun>();

  constructor(private readonly report: (event: ExitEvent) => void) {}

  /** Runs currently tracked. */
  get size(): number {
    return this.live.size;
  }

  /** Ids of the tracked runs' containers. */
  ids(): string[] {
    return [...this.live.keys()];
  }

  /** Tracks the run `raw` describes (even if it already ended: `settle` then reports it). */
  track(raw: ContainerInspectInfo): void {
    this.live.set(raw.Id, {
      startedAt: raw.State.StartedAt,
      name: raw.Name.replace(/^\//, ''),
      labels: callerLabels(raw.Config.Labels),
    });
  }

  /** Drops a container without reporting (it was removed after its exit was reported). */
  forget(id: string): void {
    this.live.delete(id);
  }

  /**
   * Compares the engine's view (`raw`, null when the container is gone) with the tracked run: a
   * run no longer running, or replaced by a newer start, is reported; a running one is tracked.
   */
  settle(id: string, raw: ContainerInspectInfo | null, unobserved: boolean, known?: KnownExit): void {
    const run = this.live.get(id);
    const running = raw !== null && raw.State.Running;
    if (run && (!running || raw.State.StartedAt !== run.startedAt)) {
      this.live.delete(id);
      const sameRun = raw !== null && raw.State.StartedAt === run.startedAt;
      const exit = sameRun ? exitOf(raw.State.ExitCode) : (known ?? { exitCode: null, signal: null });
      this.report({ id, name: run.name, labels: run.labels, ...exit, unobserved });
    }
    if (running && raw) this.track(raw);
  }
}
