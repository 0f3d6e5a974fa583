/**
 * `/services/<service>/<id>`: where a service's metrics are served, found by the api's Prometheus
 * service discovery. Ephemeral, so it follows the service's session: a dead service drops out of
 * the targets by itself. Services whose registration also carries live stats (the proxy, the
 * constructor, the allocator) write the same document through their own refreshers.
 */
import { type AddressInfo } from 'node:net';
import { paths, serializeDocument } from '@wharf/model';
import { type EphemeralRegistration } from './ephemeral-node';
import { type ZkSession } from './session';

/** What a registration says about its service. */
export interface ServiceFacts {
  readonly service: string;
  readonly id: string;
  /** The bound metrics (or API) server. */
  readonly address: AddressInfo;
  readonly version: string;
  readonly started: Date;
  readonly zone?: string;
}

/** Creates the registration; close it (or the session) on shutdown. */
export function registerService(zk: ZkSession, facts: ServiceFacts): Promise<EphemeralRegistration> {
  return zk.registerEphemeral(
    paths.serviceLive(facts.service, facts.id),
    serializeDocument('service-registration', {
      schema_version: 1,
      id: facts.id,
      service: facts.service,
      address: facts.address.address,
      port: facts.address.port,
      ...(facts.zone === undefined ? {} : { zone: facts.zone }),
      version: facts.version,
      started: facts.started.toISOString(),
    }),
  );
}
