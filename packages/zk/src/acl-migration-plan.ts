import { type ZkAcl } from './acl';
import { type ZkIdentity, aclForOwner, ruleFor } from './zk-acl-policy';

/*
 * The pure half of the ACL migration (acl-migration.ts walks the tree and applies it): what a
 * node written in plain mode (open ACLs) should carry once the installation is secure.
 *
 * A node's *writer* is not recorded anywhere ZooKeeper can tell us, so the nodes whose rule grants
 * the writer (`/hosts/<h>`, `/allocators/<id>`, `/proxies/<id>`, `/services/<kind>/<id>`,
 * `/log-requests/<id>`) get the owner their id names by the runner's convention: a service the
 * runner starts is `<service>-<host>` (services/runner roles.ts, WHARF_ID), the runner itself
 * is `<host>`. A node whose owner cannot be named is given no writer entry: only its roles may
 * write it (fail closed), and the report counts it.
 */

/** The id of a service the runner starts on `host`: `<service>-<host>`. */
const RUNNER_SERVICE_ID = /^([a-z]+)-([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)$/;
/** A host id (a Wharf id: a lowercase DNS label). */
const HOST_ID = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** What the migration does with one node. */
export type AclDecision =
  /** Every entry is x509 already: written in secure mode (or migrated), left as it is. */
  | { readonly action: 'keep' }
  /**
   * Open (or partly open): set `acl`. `writerUnknown` when the rule grants the node's writer but
   * the path names none: the ACL then has no writer entry.
   */
  | {
      readonly action: 'secure';
      readonly acl: readonly ZkAcl[];
      readonly owner: ZkIdentity | undefined;
      readonly writerUnknown: boolean;
    };

/**
 * The owner of `path` (chroot-relative) as the runner names its services, for the rules that
 * grant the writer; undefined when the path names none.
 */
export function inferOwner(path: string): ZkIdentity | undefined {
  const [top, first, second] = path.split('/').filter((s) => s !== '');
  if (first === undefined) return undefined;
  switch (top) {
    case 'hosts':
      return HOST_ID.test(first) ? { hostId: first, role: 'runner' } : undefined;
    case 'allocators':
    case 'log-requests':
      return serviceOwner('allocator', first);
    case 'proxies':
      return serviceOwner('proxy', first);
    case 'services':
      if (second === undefined) return undefined;
      if (first === 'runner') return HOST_ID.test(second) ? { hostId: second, role: 'runner' } : undefined;
      return serviceOwner(first, second);
    default:
      return undefined;
  }
}

/** `<service>-<host>` → that service on that host; anything else → undefined. */
function serviceOwner(service: string, id: string): ZkIdentity | undefined {
  const match = RUNNER_SERVICE_ID.exec(id);
  if (match === null || match[1] !== service) return undefined;
  return { hostId: match[2]!, role: service };
}

/** True when every entry authenticates by certificate: nothing for world, ip or digest. */
export function isSecured(acl: readonly ZkAcl[]): boolean {
  return acl.length > 0 && acl.every((entry) => entry.scheme === 'x509');
}

/** The decision for `path` with its current ACL. */
export function decideAcl(path: string, current: readonly ZkAcl[]): AclDecision {
  if (isSecured(current)) return { action: 'keep' };
  const owner = inferOwner(path);
  const grantsWriter = ruleFor(path).grants.some((grant) => grant.who.kind === 'writer');
  return { action: 'secure', acl: aclForOwner(path, owner), owner, writerUnknown: grantsWriter && !owner };
}
