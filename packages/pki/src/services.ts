/**
 * Which certificates a host needs: one per service the runner starts on it, because ZooKeeper's
 * ACLs (packages/zk's role policy) name services, not host roles. A coordinator host runs api and
 * constructor, so it needs `OU=api` and `OU=constructor`; every host runs a runner (`OU=runner`).
 */
import { type HostRole } from '@wharf/model';

/** Every service that holds a client certificate, in a stable order. */
export const CERTIFIED_SERVICES = ['runner', 'director', 'api', 'constructor', 'allocator', 'proxy'] as const;
/** A service that holds a certificate (the `OU` of its subject). */
export type CertifiedService = (typeof CERTIFIED_SERVICES)[number];

/** The services each host role starts (the runner's own table, services/runner `ROLE_SERVICES`). */
export const ROLE_CERTIFIED_SERVICES: Readonly<Record<HostRole, readonly CertifiedService[]>> = Object.freeze(
  {
    coordinator: ['api', 'constructor'],
    allocator: ['allocator'],
    proxy: ['proxy'],
    director: ['director'],
  },
);

/** True when `value` names a {@link CertifiedService}. */
export function isCertifiedService(value: unknown): value is CertifiedService {
  return typeof value === 'string' && (CERTIFIED_SERVICES as readonly string[]).includes(value);
}

/** The certificates a host with `roles` needs: the runner's, and one per service its roles start. */
export function servicesForHostRoles(roles: readonly HostRole[]): CertifiedService[] {
  const wanted = new Set<CertifiedService>(['runner', ...roles.flatMap((r) => ROLE_CERTIFIED_SERVICES[r])]);
  return CERTIFIED_SERVICES.filter((service) => wanted.has(service));
}

/**
 * The host roles a set of services calls for (the runner's needs none): what a roles token must
 * grant before the director certifies them.
 */
export function rolesForServices(services: readonly CertifiedService[]): HostRole[] {
  const roles = Object.entries(ROLE_CERTIFIED_SERVICES)
    .filter(([, provided]) => provided.some((s) => services.includes(s)))
    .map(([role]) => role as HostRole);
  return roles;
}
