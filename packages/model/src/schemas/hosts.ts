/**
 * Host documents: the runner's registration (`/hosts/<host>`), its live node
 * (`/hosts/<host>/live`, ephemeral: what the runner is running right now) and roles tokens
 * (`/platform/security/roles-tokens/<id>`), which let a new host join with a set of roles.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Id, Port, SchemaVersion, Str, Timestamp } from './common';

/** The roles a host can have (ECE's four). */
export const HOST_ROLES = ['allocator', 'proxy', 'coordinator', 'director'] as const;
/** How a runner starts its services. */
export const RUNNER_MODES = ['process', 'docker'] as const;
/** States of one supervised service as the runner reports it. */
export const HOST_SERVICE_STATES = ['starting', 'running', 'backing-off', 'stopping', 'stopped'] as const;
/** Most services a runner reports (4 roles × 2 services, with room to grow). */
const MAX_HOST_SERVICES = 16;

const HostRoleSchema = Type.Union(HOST_ROLES.map((r) => Type.Literal(r)));
const HostRolesSchema = Type.Array(HostRoleSchema, { maxItems: HOST_ROLES.length, uniqueItems: true });

/** `/hosts/<host>`: a host's registration. Roles are written by the api or a join; the runner preserves them. */
export const HostRegistrationSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    id: Id(),
    address: Str(255),
    zone: Id(),
    roles: HostRolesSchema,
    runtime: Type.Union(RUNNER_MODES.map((m) => Type.Literal(m))),
    version: Str(32),
    started: Timestamp(),
  },
  { additionalProperties: false },
);

/** One service a runner supervises. */
export const HostServiceSchema = Type.Object(
  {
    service: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }),
    id: Id(),
    state: Type.Union(HOST_SERVICE_STATES.map((s) => Type.Literal(s))),
    pid: Type.Optional(Type.Integer({ minimum: 1 })),
    port: Type.Optional(Port()),
    restarts: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

/** `/hosts/<host>/live` (ephemeral): the runner is alive, and what it runs. */
export const HostLiveSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    pid: Type.Integer({ minimum: 1 }),
    updated: Timestamp(),
    services: Type.Array(HostServiceSchema, { maxItems: MAX_HOST_SERVICES }),
    /**
     * Services of the host's roles that run beside the runner, started before it and left alone
     * by it (`WHARF_HOST_SERVICES`: a director owning a ZooKeeper member), so readers still learn
     * which host runs them.
     */
    beside: Type.Optional(
      Type.Array(
        Type.Object(
          { service: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }), id: Id() },
          { additionalProperties: false },
        ),
        { maxItems: MAX_HOST_SERVICES },
      ),
    ),
  },
  { additionalProperties: false },
);

/** `/platform/security/roles-tokens/<id>`: a roles token, hashed like an API key. */
export const RolesTokenSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    id: Id(),
    /** scrypt hash of the secret part (`scrypt$N$r$p$hex`). */
    hash: Str(256),
    salt: Str(64),
    roles: HostRolesSchema,
    /** Persistent tokens can be used any number of times; others once. */
    persistent: Type.Boolean(),
    /** After this instant the token is refused; absent: never (persistent tokens without a TTL). */
    expires: Type.Optional(Timestamp()),
    created: Timestamp(),
    /** Set (in the same transaction as the host registration) when a one-shot token is used. */
    used: Type.Optional(Type.Boolean()),
    used_by: Type.Optional(Id()),
    /**
     * Set by the director (versioned write) when a one-shot token enrolled a host: the token
     * issues certificates once, and only that host may then join with it.
     */
    enrolled_by: Type.Optional(Id()),
    enrolled: Type.Optional(Timestamp()),
    /** Set by `DELETE …/roles-tokens/<id>`: from then on the token neither joins nor enrols. */
    revoked: Type.Optional(Timestamp()),
  },
  { additionalProperties: false },
);

/** A host role. */
export type HostRole = (typeof HOST_ROLES)[number];
/** A runner mode. */
export type RunnerMode = (typeof RUNNER_MODES)[number];
/** A host registration. */
export type HostRegistration = Static<typeof HostRegistrationSchema>;
/** One supervised service. */
export type HostService = Static<typeof HostServiceSchema>;
/** A host live node. */
export type HostLive = Static<typeof HostLiveSchema>;
/** A hashed roles token. */
export type RolesToken = Static<typeof RolesTokenSchema>;

/** True when `value` names a host role. */
export function isHostRole(value: unknown): value is HostRole {
  return typeof value === 'string' && (HOST_ROLES as readonly string[]).includes(value);
}
