import { WharfError } from '@wharf/model';
import { type ZkAcl, type ZkPermission } from './acl';

/*
 * Who may do what to each znode of an installation, when services authenticate to ZooKeeper with
 * their certificates (x509 scheme). Pure: a path (chroot-relative) and the identity of the writer
 * in, the ACL to create the node with out. `ZkSession` applies it to every node it creates in
 * secure mode (create, mkdirp, ephemerals, transactions); plain mode keeps ZooKeeper's open ACL.
 *
 * ACL ids are certificate subjects as ZooKeeper prints them (`CN=<host>,OU=<role>,O=Wharf`) or a
 * suffix of one (`OU=<role>,O=Wharf`: every certificate of that role; `O=Wharf`: every certificate
 * of the installation). Suffix ids need Wharf's x509 provider on the server (x509-provider.ts); the
 * stock provider matches exact ids only.
 *
 * ZooKeeper ACL facts this table is built on: ACLs are per node and never inherited; creating
 * or deleting a child is the *parent's* `create` / `delete` permission; `admin` is setAcl; a node
 * created without an ACL gets world:anyone (everything), which is what secure mode must avoid.
 */

/** The organisation every Wharf certificate names (`O=Wharf`, @wharf/pki's identitySubject). */
export const WHARF_ORGANIZATION = 'Wharf';

/** A writer: the identity its certificate names (`CN=<hostId>`, `OU=<role>`). */
export interface ZkIdentity {
  readonly hostId: string;
  readonly role: string;
}

/** Who an ACL entry is for. */
export type ZkPrincipal =
  | { readonly kind: 'writer' }
  | { readonly kind: 'role'; readonly role: string }
  | { readonly kind: 'everyone' };

/** One entry of a rule. */
export interface ZkGrant {
  readonly who: ZkPrincipal;
  readonly perms: readonly ZkPermission[];
}

/** A rule: a path pattern (`*` one segment, `**` any number, zero included) and its grants. */
export interface ZkAclRule {
  readonly pattern: string;
  readonly grants: readonly ZkGrant[];
}

const R: readonly ZkPermission[] = ['read'];
/** Everything but `admin`: owners change data and children, never the ACL itself. */
const OWN: readonly ZkPermission[] = ['read', 'write', 'create', 'delete'];

const writer = (perms: readonly ZkPermission[]): ZkGrant => ({ who: { kind: 'writer' }, perms });
const role = (name: string, perms: readonly ZkPermission[]): ZkGrant => ({
  who: { kind: 'role', role: name },
  perms,
});
const everyone = (perms: readonly ZkPermission[]): ZkGrant => ({ who: { kind: 'everyone' }, perms });

/**
 * The director (the trust root) may read every node and repair any ACL (`admin`), on every node.
 * It cannot write others' data without first changing an ACL, which is visible (`aversion`).
 */
export const DIRECTOR_GRANT: ZkGrant = role('director', ['read', 'admin']);

/**
 * The table, first match wins (most specific first). Writers per ARCHITECTURE.md's services
 * table; "everyone" is every certificate of the installation (world has nothing).
 */
export const WHARF_ACL_RULES: readonly ZkAclRule[] = Object.freeze([
  // The chroot: every service creates its top-level container on first use (mkdirp).
  { pattern: '/', grants: [everyone(['read', 'create'])] },
  // API key hashes and roles tokens: the api alone, not even read by others.
  { pattern: '/platform/security/scrape-token', grants: [role('api', OWN), everyone(R)] },
  // A roles token record: the director consumes a one-shot token when it enrols a host (a
  // versioned write of `enrolled_by`), so it reads and writes it; nobody else but the api.
  {
    pattern: '/platform/security/roles-tokens/*',
    grants: [role('api', OWN), role('director', ['read', 'write'])],
  },
  { pattern: '/platform/security/**', grants: [role('api', OWN)] },
  { pattern: '/platform/**', grants: [role('api', OWN), everyone(R)] },
  { pattern: '/organizations/**', grants: [role('api', OWN), everyone(R)] },
  // Hosts: a runner registers itself (and its live node); host roles are changed through the api.
  {
    pattern: '/hosts',
    grants: [role('runner', ['read', 'create', 'delete']), role('api', OWN), everyone(R)],
  },
  { pattern: '/hosts/*', grants: [writer(OWN), role('api', OWN), everyone(R)] },
  { pattern: '/hosts/*/**', grants: [writer(OWN), everyone(R)] },
  // Allocators: each writes its advertisement, live node and statuses; the constructor its specs.
  { pattern: '/allocators', grants: [role('allocator', ['read', 'create']), role('api', OWN), everyone(R)] },
  {
    pattern: '/allocators/*',
    grants: [
      writer(OWN),
      role('api', ['read', 'write', 'delete']),
      role('constructor', ['read', 'create']),
      everyone(R),
    ],
  },
  {
    pattern: '/allocators/*/instances',
    grants: [role('constructor', OWN), role('api', ['read', 'delete']), role('allocator', R)],
  },
  // Specs are readable by allocators as a role: an allocator id is not its host id, so the path
  // cannot name the one certificate that should read it (see docs/security.md, "not yet").
  {
    pattern: '/allocators/*/instances/*',
    grants: [role('constructor', OWN), role('api', R), role('allocator', R)],
  },
  { pattern: '/allocators/*/status', grants: [writer(OWN), role('api', ['read', 'delete']), everyone(R)] },
  { pattern: '/allocators/*/**', grants: [writer(OWN), everyone(R)] },
  // Deployments and plans: api and constructor only.
  { pattern: '/deployments/**', grants: [role('api', OWN), role('constructor', OWN), everyone(R)] },
  { pattern: '/routes/**', grants: [role('constructor', OWN), role('api', OWN), everyone(R)] },
  { pattern: '/metering/**', grants: [role('constructor', OWN), role('api', OWN), everyone(R)] },
  // Proxy traffic counts: each proxy creates and updates its own per hour; the constructor leader
  // closes the hours, rolls them up and deletes them.
  {
    pattern: '/metering-traffic/**',
    grants: [role('constructor', OWN), role('proxy', ['read', 'write', 'create']), everyone(R)],
  },
  { pattern: '/availability/**', grants: [role('constructor', OWN), role('api', OWN), everyone(R)] },
  // Proxies: each writes only its own registration.
  { pattern: '/proxies', grants: [role('proxy', ['read', 'create', 'delete']), everyone(R)] },
  { pattern: '/proxies/**', grants: [writer(OWN), everyone(R)] },
  // The api creates the installation's skeleton (model's ROOT_PATHS), `/constructors/leader` too.
  {
    pattern: '/constructors',
    grants: [role('constructor', OWN), role('api', ['read', 'create']), everyone(R)],
  },
  { pattern: '/constructors/**', grants: [role('constructor', OWN), everyone(R)] },
  // Liveness of every service (`/services/<kind>/<host>`): containers open to all, leaves owned.
  { pattern: '/services', grants: [everyone(['read', 'create'])] },
  { pattern: '/services/*', grants: [everyone(['read', 'create', 'delete'])] },
  { pattern: '/services/**', grants: [writer(OWN), everyone(R)] },
  { pattern: '/director/**', grants: [role('director', OWN), everyone(R)] },
  // Snapshot records and the scheduled-snapshot claims: any api takes, claims and prunes them
  // (an api other than the one that created a record deletes it past retention).
  { pattern: '/snapshots/**', grants: [role('api', OWN), everyone(R)] },
  { pattern: '/snapshot-schedule/**', grants: [role('api', OWN), everyone(R)] },
  // Events and webhook cursors: the api and the constructor leader append, deliver and prune.
  { pattern: '/events/**', grants: [role('api', OWN), role('constructor', OWN), everyone(R)] },
  { pattern: '/webhook-deliveries/**', grants: [role('api', OWN), role('constructor', OWN), everyone(R)] },
  { pattern: '/webhook-dead-letters/**', grants: [role('api', OWN), role('constructor', OWN), everyone(R)] },
  // Instance log requests: the api asks (an ephemeral request under the allocator's node) and the
  // allocator answers in place. Either may create the allocator's node first (both mkdirp it).
  {
    pattern: '/log-requests',
    grants: [role('api', ['read', 'create']), role('allocator', ['read', 'create']), everyone(R)],
  },
  {
    pattern: '/log-requests/*',
    grants: [writer(OWN), role('api', ['read', 'create', 'delete']), role('allocator', R)],
  },
  { pattern: '/log-requests/*/*', grants: [role('api', OWN), role('allocator', ['read', 'write'])] },
  // Anything else (tests, tools): the writer owns it, the installation reads it.
  { pattern: '/**', grants: [writer(OWN), everyone(R)] },
]);

/** ZooKeeper's x509 id of a certificate `O=Wharf, OU=<role>, CN=<hostId>` (RFC 2253 order). */
export function identityX509Id(identity: ZkIdentity): string {
  return `CN=${checkedName('hostId', identity.hostId)},${roleX509Id(identity.role)}`;
}

/** The x509 id that matches every certificate of `role` (with Wharf's provider). */
export function roleX509Id(name: string): string {
  return `OU=${checkedName('role', name)},O=${WHARF_ORGANIZATION}`;
}

/** The x509 id that matches every certificate of the installation (with Wharf's provider). */
export const EVERYONE_X509_ID = `O=${WHARF_ORGANIZATION}`;

/** Whether a `/`-separated path matches a rule pattern. */
export function matchesPattern(pattern: string, path: string): boolean {
  const want = segments(pattern);
  const have = segments(path);
  const match = (i: number, j: number): boolean => {
    if (i === want.length) return j === have.length;
    if (want[i] === '**') return match(i + 1, j) || (j < have.length && match(i, j + 1));
    return j < have.length && (want[i] === '*' || want[i] === have[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

/** The rule for `path` (the catch-all when nothing more specific matches). */
export function ruleFor(path: string, rules: readonly ZkAclRule[] = WHARF_ACL_RULES): ZkAclRule {
  const rule = rules.find((r) => matchesPattern(r.pattern, path));
  if (rule === undefined) {
    throw new WharfError('WHARF_VALIDATION', 'no acl rule for path', { details: { field: 'path', path } });
  }
  return rule;
}

/** The ACL `writer` creates `path` with: the rule's grants plus the director's. */
export function aclFor(
  path: string,
  writer: ZkIdentity,
  rules: readonly ZkAclRule[] = WHARF_ACL_RULES,
): ZkAcl[] {
  return aclForOwner(path, writer, rules);
}

/**
 * {@link aclFor} for a node whose writer may be unknown (the ACL migration of a tree written in
 * plain mode): without an owner the rule's writer grants are left out, so the node is no one's to
 * write but its roles' (fail closed), and the director can still repair it.
 */
export function aclForOwner(
  path: string,
  owner: ZkIdentity | undefined,
  rules: readonly ZkAclRule[] = WHARF_ACL_RULES,
): ZkAcl[] {
  const writerId = owner === undefined ? undefined : identityX509Id(owner);
  const acl = [...ruleFor(path, rules).grants, DIRECTOR_GRANT].flatMap((grant): ZkAcl[] => {
    const id = principalId(grant.who, writerId);
    return id === undefined ? [] : [{ scheme: 'x509', id, perms: grant.perms }];
  });
  return mergeAcl(acl);
}

/** The session hook: every node created by `writer` gets {@link aclFor}'s ACL. */
export function wharfAclPolicy(writer: ZkIdentity): (path: string) => ZkAcl[] {
  identityX509Id(writer); // refuse a bad identity at construction, not on the first create
  return (path) => aclFor(path, writer);
}

function principalId(who: ZkPrincipal, writerId: string | undefined): string | undefined {
  switch (who.kind) {
    case 'writer':
      return writerId;
    case 'role':
      return roleX509Id(who.role);
    case 'everyone':
      return EVERYONE_X509_ID;
  }
}

/** One entry per id, permissions united (a writer of role api is also granted as "api"). */
function mergeAcl(acl: readonly ZkAcl[]): ZkAcl[] {
  const byId = new Map<string, Set<ZkPermission>>();
  for (const entry of acl) {
    const perms = byId.get(entry.id) ?? new Set<ZkPermission>();
    for (const perm of entry.perms) perms.add(perm);
    byId.set(entry.id, perms);
  }
  const order: readonly ZkPermission[] = ['read', 'write', 'create', 'delete', 'admin'];
  return [...byId].map(([id, perms]) => ({ scheme: 'x509', id, perms: order.filter((p) => perms.has(p)) }));
}

/** Host ids and roles are Wharf ids (lowercase DNS labels): nothing that could end an RDN. */
function checkedName(field: string, value: string): string {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(value)) {
    throw new WharfError('WHARF_VALIDATION', 'invalid zookeeper identity', { details: { field, value } });
  }
  return value;
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}
