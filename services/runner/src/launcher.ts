/**
 * How a runner starts one service. The supervisor only talks to this interface, so a process
 * launcher (child processes, the default) and a container launcher (`WHARF_RUNNER_MODE=docker`,
 * `wharf/<svc>:<version>` images with host networking through @wharf/runtime) are interchangeable.
 */
import { type ServiceLaunchSpec } from './roles';

/** How a launched service ended. */
export interface ServiceExit {
  readonly code: number | null;
  readonly signal: string | null;
  readonly error?: Error;
}

/** How a stop went. */
export type StopOutcome = 'not-running' | 'terminated' | 'killed';

/** One started service (a process or a container). */
export interface LaunchedService {
  /** OS pid where there is one (process mode; a container's init pid in docker mode). */
  readonly pid: number | undefined;
  /** Resolves once, when the service ends for whatever reason. */
  readonly exited: Promise<ServiceExit>;
  /** SIGTERM, up to `graceMs`, then SIGKILL. Idempotent. */
  stop(graceMs: number): Promise<StopOutcome>;
}

/** Starts services. */
export interface ServiceLauncher {
  /** `process` or `docker`, reported in the host registration. */
  readonly mode: 'process' | 'docker';
  /** Starts `spec`; throws when it cannot even be started (the supervisor then backs off). */
  launch(spec: ServiceLaunchSpec): Promise<LaunchedService>;
}
