/**
 * The host's znodes: `/hosts/<host>` (registration, read-modify-write that preserves the roles the
 * api or a join wrote), joining with a roles token, where a one-shot token is marked used in the
 * same transaction that writes the registration, and the first host's bootstrap.
 */
import {
  WharfError,
  checkRolesToken,
  isWharfError,
  parseRolesToken,
  paths,
  rolesTokenRefused,
  type HostRegistration,
  type HostRole,
  type RolesToken,
} from '@wharf/model';
import { DocumentStore, type ZkSession, parentPath } from '@wharf/zk';

/** What a runner says about its host (everything but the roles). */
export type HostFacts = Omit<HostRegistration, 'schema_version' | 'roles'>;

/** Join attempts when a concurrent writer moved the token or the host between read and commit. */
const JOIN_ATTEMPTS = 3;

/**
 * Creates or refreshes `/hosts/<host>`: address, zone, runtime, version and start time are ours;
 * the roles are kept (a new host starts with `initialRoles`, by default none until the api or a
 * join assigns some). In secure mode `initialRoles` are the certified ones: the director checked
 * the roles token when it signed this host's certificates, and the runner, whose certificate
 * cannot read roles tokens (ACLs by role), registers with the roles it was certified for.
 */
export async function registerHost(
  zk: ZkSession,
  facts: HostFacts,
  initialRoles: readonly HostRole[] = [],
): Promise<HostRegistration> {
  await zk.mkdirp(paths.hosts());
  const result = await new DocumentStore(zk).updateDocument(
    'host-registration',
    paths.host(facts.id),
    (current) => ({ schema_version: 1, ...facts, roles: current?.roles ?? [...initialRoles] }),
    { createIfMissing: true },
  );
  return result.value!;
}

/** What {@link bootstrapHost} did. */
export interface BootstrapResult {
  readonly registration: HostRegistration;
  /** False when the host was registered already (its roles are kept, the flag ignored). */
  readonly bootstrapped: boolean;
}

/**
 * The first host of a new installation: there is no api yet to create a roles token with, so the
 * runner registers itself with `roles`. Allowed once per installation, and only while no host has
 * the coordinator role: `/platform/bootstrap` is created in the same transaction as the host, so
 * two hosts bootstrapping at once cannot both succeed. A host that is registered already keeps its
 * roles (a restarted first host whose unit still carries the flag). Throws `WHARF_CONFLICT`.
 */
export async function bootstrapHost(
  zk: ZkSession,
  facts: HostFacts,
  roles: readonly HostRole[],
): Promise<BootstrapResult> {
  await zk.mkdirp(paths.hosts());
  if ((await zk.exists(paths.host(facts.id))) !== null)
    return { registration: await registerHost(zk, facts), bootstrapped: false };
  const docs = new DocumentStore(zk);
  for (const host of await zk.children(paths.hosts())) {
    const doc = (await docs.read('host-registration', paths.host(host)))?.value;
    if (doc === undefined) continue;
    if (doc.roles.includes('coordinator')) throw alreadyBootstrapped(`host ${host} is a coordinator`);
  }
  const registration: HostRegistration = { schema_version: 1, ...facts, roles: [...roles] };
  await zk.mkdirp(parentPath(paths.bootstrap()));
  const marker = Buffer.from(JSON.stringify({ host: facts.id, roles, at: facts.started }));
  try {
    await docs
      .transaction()
      .createNode(paths.bootstrap(), marker)
      .create('host-registration', paths.host(facts.id), registration)
      .commit();
  } catch (err) {
    if (isWharfError(err, 'WHARF_ZK_TRANSACTION_FAILED'))
      throw alreadyBootstrapped('another host bootstrapped it, or registered as this host meanwhile');
    throw err;
  }
  return { registration, bootstrapped: true };
}

function alreadyBootstrapped(why: string): WharfError {
  const message = `this installation is bootstrapped already (${why}): join with a roles token`;
  return new WharfError('WHARF_CONFLICT', message, { details: [{ path: 'bootstrap_roles', message }] });
}

/** A join request: the token as presented and the roles asked for. */
export interface JoinRequest {
  readonly token: string;
  readonly roles: readonly HostRole[];
  readonly now: Date;
}

async function readToken(zk: ZkSession, id: string): Promise<{ record: RolesToken; version: number }> {
  const doc = await new DocumentStore(zk).read('roles-token', paths.rolesToken(id));
  if (doc === undefined) throw rolesTokenRefused('unknown roles token');
  return { record: doc.value, version: doc.version };
}

/** Checks the token against its record and the request; throws WHARF_UNAUTHORIZED / WHARF_FORBIDDEN. */
export async function checkToken(
  record: RolesToken,
  secret: string,
  request: JoinRequest & { readonly hostId?: string },
): Promise<void> {
  await checkRolesToken(record, secret, { ...request, purpose: 'join' });
}

/**
 * Registers the host with the requested roles after validating the token. One-shot tokens are
 * marked used in the same transaction, so two hosts racing with one token cannot both join.
 */
export async function joinWithToken(
  zk: ZkSession,
  facts: HostFacts,
  request: JoinRequest,
): Promise<HostRegistration> {
  const parsed = parseRolesToken(request.token);
  if (!parsed) throw rolesTokenRefused('malformed roles token');
  await zk.mkdirp(paths.hosts());
  for (let attempt = 1; ; attempt++) {
    const { record, version } = await readToken(zk, parsed.id);
    await checkToken(record, parsed.secret, { ...request, hostId: facts.id });
    const registration: HostRegistration = { schema_version: 1, ...facts, roles: [...request.roles] };
    const hostStat = await zk.exists(paths.host(facts.id));
    const tx = new DocumentStore(zk).transaction();
    if (record.persistent) tx.check(paths.rolesToken(parsed.id), version);
    else {
      const used: RolesToken = { ...record, used: true, used_by: facts.id };
      tx.set('roles-token', paths.rolesToken(parsed.id), used, version);
    }
    if (hostStat === null) tx.create('host-registration', paths.host(facts.id), registration);
    else tx.set('host-registration', paths.host(facts.id), registration, hostStat.version);
    try {
      await tx.commit();
      return registration;
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_TRANSACTION_FAILED') || attempt >= JOIN_ATTEMPTS) throw err;
      // Someone moved the token or the host: re-read (a used one-shot token is refused then).
    }
  }
}
