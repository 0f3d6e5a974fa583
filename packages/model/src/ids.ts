/**
 * Identifiers. Every id that becomes a znode name, a file path, a container name or a host name
 * label goes through {@link assertId} first: lowercase letters, digits and inner hyphens, 1–63
 * characters (a DNS label, so `<deployment-id>.<domain>` routing works, and never `/` or `..`).
 */
import { randomBytes } from 'node:crypto';
import { WharfError } from './errors';

/** The documented id alphabet: a DNS label (RFC 1123), lowercase only. */
export const ID_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';
const ID_REGEX = new RegExp(ID_PATTERN);

/**
 * Instance configuration ids (`etcd.default`, ECE's `data.default`) may also hold dots, but never
 * `..`, so they stay single path segments.
 */
export const INSTANCE_CONFIGURATION_ID_PATTERN = '^(?!.*\\.\\.)[a-z0-9][a-z0-9._-]{0,62}$';
const INSTANCE_CONFIGURATION_ID_REGEX = new RegExp(INSTANCE_CONFIGURATION_ID_PATTERN);

/** Throws `WHARF_INVALID_ID` unless `value` is a valid instance configuration id. */
export function assertInstanceConfigurationId(value: unknown): string {
  if (typeof value !== 'string' || !INSTANCE_CONFIGURATION_ID_REGEX.test(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw new WharfError('WHARF_INVALID_ID', `invalid instance_configuration id ${shown}`, {
      details: [
        { path: 'instance_configuration', message: `must match ${INSTANCE_CONFIGURATION_ID_PATTERN}` },
      ],
    });
  }
  return value;
}

/** Longest ref_id: leaves room for `<deployment>-<ref>-<n>` instance ids inside one DNS label. */
export const MAX_REF_ID_LENGTH = 32;

/** Random bytes in a generated deployment id (64 bits: collisions are not a practical concern). */
const DEPLOYMENT_ID_BYTES = 8;

/** Kinds of id, named in error messages. */
export type IdKind =
  | 'deployment'
  | 'ref_id'
  | 'allocator'
  | 'instance'
  | 'host'
  | 'proxy'
  | 'zone'
  | 'topology'
  | 'instance_configuration'
  | 'api_key'
  | 'roles_token'
  | 'director'
  | 'organization'
  | 'snapshot'
  | 'webhook';

/** True when `value` is a valid id. */
export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_REGEX.test(value);
}

/** Throws `WHARF_INVALID_ID` naming the kind unless `value` is a valid id. */
export function assertId(kind: IdKind, value: unknown): string {
  if (!isValidId(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw new WharfError('WHARF_INVALID_ID', `invalid ${kind} id ${shown}: expected ${ID_PATTERN}`, {
      details: [{ path: kind, message: `must match ${ID_PATTERN}` }],
    });
  }
  return value;
}

/** A new random deployment id (16 lowercase hex characters). */
export function newDeploymentId(): string {
  return randomBytes(DEPLOYMENT_ID_BYTES).toString('hex');
}

/** The id of the `index`-th instance of a resource: `<deployment>-<ref>-<index>`. */
export function instanceId(deploymentId: string, refId: string, index: number): string {
  return assertId('instance', `${deploymentId}-${refId}-${index}`);
}
