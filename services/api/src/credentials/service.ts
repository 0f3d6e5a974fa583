/**
 * Per-deployment stack credentials (etcd's `root`): the create response carries the first
 * password once, and `credentials/_reset` sets and returns a new one once. Nothing is stored:
 * the first password is derived from the platform secret, the deployment, the `ref_id` and the
 * create plan's id (the constructor derives the same when it turns authentication on), and a
 * reset's random password goes straight to etcd through the platform's own user.
 */
import { WharfError, listResources, stackBlockOf, type Resources } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import {
  STACK_ROOT_USER,
  etcdAuthenticationWanted,
  generatePassword,
  getStackPack,
  initialRootPassword,
  platformStackCredentials,
} from '@wharf/stacks';
import { type ServiceResponse } from '../http/send';
import { type SnapshotService } from '../snapshots/service';

/** Time budget of a reset (etcd's auth calls go through raft; the first one may wait for a leader). */
export const RESET_TIMEOUT_MS = 30_000;

/** The credentials block of a create response's resource. */
export interface ResourceCredentials {
  username: string;
  password: string;
}

/** The `credentials` of each etcd resource of a new deployment that has authentication on, by ref_id. */
export function createCredentials(
  secret: string,
  deploymentId: string,
  planId: string,
  resources: Resources,
): Map<string, ResourceCredentials> {
  const out = new Map<string, ResourceCredentials>();
  for (const r of listResources(resources)) {
    if (r.kind !== 'etcd' || !etcdAuthenticationWanted(stackBlockOf(r).user_settings ?? {})) continue;
    out.set(r.ref_id, {
      username: STACK_ROOT_USER,
      password: initialRootPassword(secret, deploymentId, r.ref_id, planId),
    });
  }
  return out;
}

/**
 * A create answer with each etcd resource's first root password (none without a secret). Nothing
 * is stored: a replay of the create (same `request_id`, within its TTL) derives the same password
 * again, so a client that lost the 201 still gets it (it no longer works after a reset).
 */
export function withCredentials(
  secret: string | undefined,
  response: Record<string, unknown>,
  resources: Resources,
): Record<string, unknown> {
  const { id, plan_id: planId, resources: listed } = response;
  if (secret === undefined || typeof id !== 'string' || typeof planId !== 'string' || !Array.isArray(listed))
    return response;
  const credentials = createCredentials(secret, id, planId, resources);
  return {
    ...response,
    resources: (listed as { ref_id?: unknown }[]).map((r) => {
      const c = credentials.get(String(r.ref_id));
      return c === undefined ? r : { ...r, credentials: c };
    }),
  };
}

/** Dependencies of a {@link CredentialsService}. */
export interface CredentialsServiceDeps {
  secret: string;
  /** Finds the deployment's resources and healthy members. */
  snapshots: SnapshotService;
  logger: Logger;
}

/** `POST /deployments/{id}/etcd/{ref_id}/credentials/_reset`. */
export class CredentialsService {
  constructor(private readonly deps: CredentialsServiceDeps) {}

  /** Sets a new random root password (turning authentication on if it was off) and returns it once. */
  async reset(deploymentId: string, refId: string): Promise<ServiceResponse> {
    const kind = 'etcd';
    const pack = getStackPack('etcd');
    const resource = await this.deps.snapshots.resourceOf(deploymentId, refId);
    if (resource?.kind !== kind) {
      throw new WharfError('WHARF_NOT_FOUND', `deployment ${deploymentId} has no ${kind} resource ${refId}`, {
        details: [{ path: 'ref_id', message: `no ${kind} resource with this ref_id` }],
      });
    }
    const members = await this.deps.snapshots.healthyMembers(deploymentId, pack, 'reset credentials through');
    const password = generatePassword();
    await pack.setRootPassword!(members, password, {
      timeoutMs: RESET_TIMEOUT_MS,
      logger: this.deps.logger,
      credentials: platformStackCredentials(this.deps.secret, deploymentId),
    });
    this.deps.logger.info('stack credentials reset', { deployment: deploymentId, ref_id: refId });
    return { status: 200, body: { username: STACK_ROOT_USER, password } };
  }
}
