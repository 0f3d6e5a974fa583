/**
 * The runner's `/services/runner/<host>` registration: where its own metrics are served, so the
 * api's Prometheus service discovery finds runners like every other service. Ephemeral: it
 * follows the runner's session.
 */
import { type AddressInfo } from 'node:net';
import { paths, serializeDocument } from '@wharf/model';
import { type EphemeralRegistration, type ZkSession } from '@wharf/zk';

/** What the registration says. */
export interface RunnerServiceFacts {
  hostId: string;
  zone: string;
  version: string;
  /** The bound metrics server. */
  metrics: AddressInfo;
  started: Date;
}

/** Creates the registration; close it on shutdown. */
export function registerRunnerService(
  zk: ZkSession,
  facts: RunnerServiceFacts,
): Promise<EphemeralRegistration> {
  return zk.registerEphemeral(
    paths.serviceLive('runner', facts.hostId),
    serializeDocument('service-registration', {
      schema_version: 1,
      id: facts.hostId,
      service: 'runner',
      address: facts.metrics.address,
      port: facts.metrics.port,
      zone: facts.zone,
      version: facts.version,
      started: facts.started.toISOString(),
    }),
  );
}
