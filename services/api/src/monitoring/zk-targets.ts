/** Reads the service registrations and runner hosts that `buildTargetGroups` labels targets from. */
import { isValidId, paths, type ServiceRegistration } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, type ZkSession } from '@wharf/zk';
import { buildTargetGroups, type HostView, type TargetGroup } from './targets';

/** Produces the current target groups. */
export type TargetSource = () => Promise<TargetGroup[]>;

/**
 * Reads ZooKeeper on every call: Prometheus refreshes HTTP SD about once a minute and an
 * installation has tens of services, so a cache would save nothing worth its staleness.
 * Bad documents are logged once and skipped.
 */
export function zkTargetSource(zk: ZkSession, logger: Logger): TargetSource {
  const docs = new DocumentStore(zk, { logger });
  const registrations = async (): Promise<ServiceRegistration[]> => {
    // Names come from znodes: only valid ids become paths (anything else is not Wharf's).
    const services = (await docs.readChildren(paths.services())).filter(isValidId);
    const perService = await Promise.all(
      services.map(async (service) => {
        const ids = (await docs.readChildren(`${paths.services()}/${service}`)).filter(isValidId);
        const read = await Promise.all(
          ids.map((id) => docs.readOrSkip('service-registration', paths.serviceLive(service, id))),
        );
        return read.flatMap((d) => (d === undefined ? [] : [d.value]));
      }),
    );
    return perService.flat();
  };
  const hosts = async (): Promise<HostView[]> => {
    const ids = (await docs.readChildren(paths.hosts())).filter(isValidId);
    return Promise.all(
      ids.map(async (id) => {
        const [registration, live] = await Promise.all([
          docs.readOrSkip('host-registration', paths.host(id)),
          docs.readOrSkip('host-live', paths.hostLive(id)),
        ]);
        return {
          id,
          ...(registration === undefined ? {} : { registration: registration.value }),
          ...(live === undefined ? {} : { live: live.value }),
        };
      }),
    );
  };
  return async () => {
    const [regs, hostViews] = await Promise.all([registrations(), hosts()]);
    return buildTargetGroups(regs, hostViews);
  };
}
