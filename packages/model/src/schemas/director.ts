/**
 * Director documents: the installation's CA certificate (`/director/ca`, public: every service
 * trusts it) and each director's ephemeral status (`/director/<directorId>`) with the ZooKeeper
 * quorum health it reads through four-letter words.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Id, SchemaVersion, Str, Timestamp } from './common';

/** Longest CA certificate PEM stored (an RSA-3072 certificate is about 1.6 KB). */
const MAX_CA_PEM_CHARS = 8192;
/** Most ZooKeeper servers reported (an ensemble of more than 9 voters is unusual). */
const MAX_QUORUM_SERVERS = 16;
/** ZooKeeper server modes as `srvr` prints them, plus `unreachable`. */
export const ZK_SERVER_MODES = ['leader', 'follower', 'observer', 'standalone', 'unreachable'] as const;

/** `/director/ca`: the CA certificate (never its key). */
export const DirectorCaSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    cert_pem: Str(MAX_CA_PEM_CHARS),
    /** `sha256:<hex>`: what a joining host pins (`wharf host enrol --ca-fingerprint`). */
    fingerprint: Type.String({ pattern: '^sha256:[0-9a-f]{64}$' }),
    not_after: Timestamp(),
    /** The director that published it. */
    director: Id(),
    updated: Timestamp(),
  },
  { additionalProperties: false },
);

/** One ZooKeeper server as a director saw it. */
export const ZkServerHealthSchema = Type.Object(
  {
    address: Str(255),
    mode: Type.Union(ZK_SERVER_MODES.map((m) => Type.Literal(m))),
    /** Last zxid the server processed (hex as `srvr` prints it); absent when unreachable. */
    zxid: Type.Optional(Type.String({ pattern: '^0x[0-9a-f]{1,16}$' })),
    /** How far behind the most advanced server this one is, in transactions. */
    zxid_lag: Type.Optional(Type.Integer({ minimum: 0 })),
    znode_count: Type.Optional(Type.Integer({ minimum: 0 })),
    outstanding_requests: Type.Optional(Type.Integer({ minimum: 0 })),
    avg_latency_ms: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** `/director/<directorId>` (ephemeral): a live director and the quorum health it reads. */
export const DirectorStatusSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    id: Id(),
    /** `host:port` of its enrolment endpoint. */
    enrol_address: Str(255),
    ca_fingerprint: Type.String({ pattern: '^sha256:[0-9a-f]{64}$' }),
    quorum: Type.Object(
      {
        /** True when a majority of the listed servers answers and one leads (or one standalone answers). */
        healthy: Type.Boolean(),
        servers: Type.Array(ZkServerHealthSchema, { maxItems: MAX_QUORUM_SERVERS }),
        checked: Timestamp(),
      },
      { additionalProperties: false },
    ),
    updated: Timestamp(),
  },
  { additionalProperties: false },
);

/** The published CA certificate. */
export type DirectorCa = Static<typeof DirectorCaSchema>;
/** One server's health. */
export type ZkServerHealth = Static<typeof ZkServerHealthSchema>;
/** A ZooKeeper server mode. */
export type ZkServerMode = (typeof ZK_SERVER_MODES)[number];
/** A director's status. */
export type DirectorStatus = Static<typeof DirectorStatusSchema>;
