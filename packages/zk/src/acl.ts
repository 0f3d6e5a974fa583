import { WharfError } from '@wharf/model';
import * as zookeeper from 'node-zookeeper-client';
import { type Done } from './raw-client';
import { toZkStat } from './stat';
import { type ZkStat } from './types';

/** One ZooKeeper permission. */
export type ZkPermission = 'read' | 'write' | 'create' | 'delete' | 'admin';

/**
 * One ACL entry: who (`scheme` + `id`) may do what (`perms`). Schemes Wharf uses: `world`
 * (`anyone`) and `x509` (a certificate subject as ZooKeeper prints it, `CN=…,OU=…,O=…`, see
 * @wharf/pki's `x509Id`); `ip`, `digest`, `auth` and `super` are ZooKeeper's others.
 */
export interface ZkAcl {
  readonly scheme: string;
  readonly id: string;
  readonly perms: readonly ZkPermission[];
}

/** A node's ACL with the stat it was read at (`stat.aversion` guards {@link ZkSession.setAcl}). */
export interface ZkAclResult {
  readonly acl: readonly ZkAcl[];
  readonly stat: ZkStat;
}

/** Every permission. */
export const ALL_PERMISSIONS: readonly ZkPermission[] = Object.freeze([
  'read',
  'write',
  'create',
  'delete',
  'admin',
]);

/** ZooKeeper's default ACL: anyone may do anything. What `create` uses when given no ACL. */
export const OPEN_ACL: readonly ZkAcl[] = Object.freeze([
  { scheme: 'world', id: 'anyone', perms: ALL_PERMISSIONS },
]);

/** Anyone may read. */
export const WORLD_READABLE: ZkAcl = Object.freeze({
  scheme: 'world',
  id: 'anyone',
  perms: Object.freeze<ZkPermission[]>(['read']),
});

const PERMISSION_BITS: Readonly<Record<ZkPermission, number>> = Object.freeze({
  read: zookeeper.Permission.READ,
  write: zookeeper.Permission.WRITE,
  create: zookeeper.Permission.CREATE,
  delete: zookeeper.Permission.DELETE,
  admin: zookeeper.Permission.ADMIN,
});

/** An ACL entry for the holder of a certificate with this x509 id. */
export function x509Acl(x509Id: string, perms: readonly ZkPermission[] = ALL_PERMISSIONS): ZkAcl {
  return { scheme: 'x509', id: x509Id, perms };
}

/** Our ACL list as the library's objects; WHARF_VALIDATION for an empty list or unknown permission. */
export function toLibraryAcl(acl: readonly ZkAcl[]): zookeeper.ACL[] {
  if (acl.length === 0) {
    throw new WharfError('WHARF_VALIDATION', 'invalid acl: empty', { details: { field: 'acl' } });
  }
  return acl.map((entry, i) => {
    // The library throws a plain Error for 0 (no permission at all); refuse it with our code.
    let bits = 0;
    for (const perm of entry.perms) {
      const bit = PERMISSION_BITS[perm];
      if (bit === undefined) {
        throw new WharfError('WHARF_VALIDATION', 'invalid acl permission', {
          details: { field: `acl[${i}].perms`, value: perm, allowed: ALL_PERMISSIONS },
        });
      }
      bits |= bit;
    }
    if (bits === 0) {
      throw new WharfError('WHARF_VALIDATION', 'invalid acl: no permission', {
        details: { field: `acl[${i}].perms` },
      });
    }
    return new zookeeper.ACL(bits, new zookeeper.Id(entry.scheme, entry.id));
  });
}

/**
 * The library's ACL objects as ours. Its ACL class stores the bit mask as `permission`, although
 * @types/node-zookeeper-client declares `perms` (lib/ACL.js, 1.1.3).
 */
export function fromLibraryAcl(acl: readonly zookeeper.ACL[]): ZkAcl[] {
  return acl.map((entry) => {
    const bits = (entry as unknown as { permission: number }).permission;
    return {
      scheme: entry.id.scheme,
      id: entry.id.id,
      perms: ALL_PERMISSIONS.filter((perm) => (bits & PERMISSION_BITS[perm]) !== 0),
    };
  });
}

/** getACL → the ACL and stat. */
export function rawGetAcl(client: zookeeper.Client, path: string): (done: Done<ZkAclResult>) => void {
  return (done) =>
    client.getACL(path, (err, acl, stat) =>
      done(err, err ? undefined : { acl: fromLibraryAcl(acl), stat: toZkStat(stat) }),
    );
}

/** setACL at ACL version `aversion` (-1: any). */
export function rawSetAcl(
  client: zookeeper.Client,
  path: string,
  libraryAcl: zookeeper.ACL[],
  aversion: number,
): (done: Done<ZkStat>) => void {
  return (done) =>
    client.setACL(path, libraryAcl, aversion, (err, stat) => done(err, err ? undefined : toZkStat(stat)));
}
