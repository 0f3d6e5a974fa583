/**
 * The director's settings from the environment: parsed and validated once into a frozen object.
 * `main.ts` passes `process.env` in; nothing else reads the environment. The CA passphrase
 * (`WHARF_CA_PASSPHRASE`) is read by `main.ts` alone and never enters this object.
 */
import { type EnvParser, type EnvTable, type LogLevel, serviceConfig } from '@wharf/observability';
import { DEFAULT_DIRECTOR_PORT } from '@wharf/pki';
import { DEFAULT_QUORUM_INTERVAL_MS } from './quorum-monitor';

const { configFromEnv: parseEnv, defaultId, renderHelp, EnvValueError, rows: r, parsers: p } = serviceConfig;

/** Longest interval between quorum checks accepted: past ten minutes the report is stale. */
const MAX_QUORUM_INTERVAL_MS = 600_000;

/** The director's validated settings. */
export interface DirectorConfig {
  readonly zkConnectString: string;
  readonly zkChroot: string;
  readonly home: string;
  readonly logLevel: LogLevel;
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly names: readonly string[];
  readonly metricsPort: number;
  readonly quorumIntervalMs: number;
  /** This director's ZooKeeper server (ensemble member), or null when it runs none. */
  readonly zkMember: ZkMemberConfig | null;
  /** Connect string of the ensemble a new member joins; empty for the bootstrap director. */
  readonly zkJoin: string;
  /**
   * Directory with the member's `peer` certificate (`ca.pem`, `cert.pem`, `key.pem`): when set,
   * the member serves TLS only and speaks TLS to the other members. Empty: plaintext.
   */
  readonly zkMemberTlsDir: string;
  /** x509 id (`CN=…,OU=director,O=Wharf`) that is the TLS member's super user; empty for none. */
  readonly zkSuperUser: string;
}

/** `WHARF_DIRECTOR_ZK_MEMBER`: `<id>:<client port>:<quorum port>:<election port>`. */
export interface ZkMemberConfig {
  readonly id: number;
  readonly clientPort: number;
  readonly quorumPort: number;
  readonly electionPort: number;
}

/** Parses `id:client:quorum:election`, or '' for no member. */
const zkMember: EnvParser<ZkMemberConfig | null> = (raw) => {
  if (raw.trim() === '') return null;
  const parts = raw.split(':');
  if (parts.length !== 4) throw new EnvValueError('expected <id>:<client>:<quorum>:<election>');
  const [id, clientPort, quorumPort, electionPort] = parts.map((v, i) =>
    i === 0 ? p.integer(1, 255)(v) : p.port(v),
  ) as [number, number, number, number];
  if (new Set([clientPort, quorumPort, electionPort]).size !== 3 || clientPort === 0) {
    throw new EnvValueError('the three ports must be distinct and non-zero');
  }
  return Object.freeze({ id, clientPort, quorumPort, electionPort });
};

/** Host facts the defaults derive from. */
export interface HostFacts {
  hostname: string;
}

/** A director id: a valid id other than `ca` (the CA certificate's znode). */
const directorId: EnvParser<string> = (raw) => {
  const id = p.validId(raw);
  if (id === 'ca') throw new EnvValueError('"ca" is reserved');
  return id;
};

/** A comma-separated list of extra names (DNS or IP) for the enrolment certificate. */
const nameList: EnvParser<readonly string[]> = (raw) =>
  Object.freeze(
    raw
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== ''),
  );

/** `host:port[,host:port…]` of the ensemble to join, or '' to bootstrap one. */
const joinList: EnvParser<string> = (raw) => {
  if (raw.trim() === '') return '';
  for (const entry of raw.split(',')) {
    const m = /^([^\s:/,]+):(\d{1,5})$/.exec(entry);
    if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65_535) {
      throw new EnvValueError(`"${entry}" is not host:port`);
    }
  }
  return raw;
};

/** Every variable the director reads (printed by `--help`). */
export function directorEnv(host: HostFacts): EnvTable<DirectorConfig> {
  return {
    zkConnectString: { ...r.zk, parse: p.zkConnect },
    zkChroot: r.zkChroot,
    home: { ...r.home, description: 'state directory; the CA lives in <home>/ca (key 0600)' },
    logLevel: r.logLevel,
    id: {
      name: 'WHARF_ID',
      default: defaultId({ prefix: 'director', hostname: host.hostname }),
      shownDefault: 'director-<hostname>',
      description: 'this director id (a valid id; not "ca")',
      parse: directorId,
    },
    host: {
      name: 'WHARF_DIRECTOR_HOST',
      default: '127.0.0.1',
      description: 'address the HTTPS enrolment endpoint binds to',
      parse: p.text,
    },
    port: {
      name: 'WHARF_DIRECTOR_PORT',
      default: String(DEFAULT_DIRECTOR_PORT),
      description: 'port of the HTTPS enrolment endpoint (0: any free port)',
      parse: p.port,
    },
    names: {
      name: 'WHARF_DIRECTOR_NAMES',
      default: '',
      description: 'extra DNS names / IPs of the enrolment certificate, comma-separated',
      parse: nameList,
    },
    metricsPort: {
      name: 'WHARF_METRICS_PORT',
      default: '0',
      description: 'port of /metrics and /health on 127.0.0.1 (0: any free port)',
      parse: p.port,
    },
    quorumIntervalMs: {
      name: 'WHARF_DIRECTOR_QUORUM_INTERVAL_MS',
      default: String(DEFAULT_QUORUM_INTERVAL_MS),
      description: 'between two srvr/mntr rounds that refresh /director/<id>',
      parse: p.integer(100, MAX_QUORUM_INTERVAL_MS),
    },
    zkMember: {
      name: 'WHARF_DIRECTOR_ZK_MEMBER',
      default: '',
      description:
        'run a ZooKeeper ensemble member: <id>:<client>:<quorum>:<election> ports on WHARF_DIRECTOR_HOST',
      parse: zkMember,
    },
    zkJoin: {
      name: 'WHARF_DIRECTOR_ZK_JOIN',
      default: '',
      description: 'host:port list of the running ensemble to join (empty: bootstrap a new one)',
      parse: joinList,
    },
    zkMemberTlsDir: {
      name: 'WHARF_DIRECTOR_ZK_TLS_DIR',
      default: '',
      description: "the member's peer certificate (ca.pem, cert.pem, key.pem): TLS for clients and quorum",
      parse: (raw) => raw.trim(),
    },
    zkSuperUser: {
      name: 'WHARF_DIRECTOR_ZK_SUPER_USER',
      default: '',
      description: "x509 id of the TLS member's super user (bypasses ACLs); empty for none",
      parse: (raw) => raw.trim(),
    },
  };
}

/** Parses the environment; throws `WHARF_VALIDATION` listing every bad variable. */
export function configFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  host: HostFacts,
): DirectorConfig {
  return parseEnv(directorEnv(host), env, 'director configuration');
}

/** The `--help` text. */
export function helpText(): string {
  return renderHelp(directorEnv({ hostname: 'host' }), {
    title: 'wharf-director: the installation CA, host enrolment over HTTPS, ZooKeeper quorum health',
    usage: ['Usage: wharf-director [--help]'],
    notes: [
      'Endpoints: POST /enrol, GET /ca on https://WHARF_DIRECTOR_HOST:WHARF_DIRECTOR_PORT;',
      'GET /metrics, GET /health on http://127.0.0.1:WHARF_METRICS_PORT.',
      'WHARF_CA_PASSPHRASE: encrypts the CA key at rest (read once, never logged).',
      'WHARF_ZK_TLS_CA / _CERT / _KEY: mutual TLS to ZooKeeper (all three or none).',
      'WHARF_ZK_SUPER_PASSWORD: the ensemble super user (reconfiguration); default <home>/director/zk-super.',
    ],
  });
}
