/**
 * How a runner starts one service. The supervisor only talks to this interface, so a process
 * launcher (child processes, the default) and a container launcher (`WHARF_RUNNER_MODE=docker`,
 * `wharf/<svc>:<version>` images with host networking through @wharf/runtime) are interchangeable.
 */
import { type Launched } from '@wharf/supervise';
import { type ServiceLaunchSpec } from './roles';

/** Starts services. */
export interface ServiceLauncher {
  /** `process` or `docker`, reported in the host registration. */
  readonly mode: 'process' | 'docker';
  /** Starts `spec`; throws when it cannot even be started (the supervisor then backs off). */
  launch(spec: ServiceLaunchSpec): Promise<Launched>;
}
