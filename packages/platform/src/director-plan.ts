/**
 * The directors of `wharf up` (one by default, or three) as a pure function of the configuration: each
 * director host runs `wharf-director` with its ZooKeeper ensemble member — member n on host n's
 * own loopback address, on the same client, quorum and election ports as the others, as on
 * separate machines. Director 1 bootstraps the ensemble; director n joins through 1..n-1.
 */
import { join } from 'node:path';
import { SERVICE_CERT_FILE, SERVICE_KEY_FILE, TRUSTED_CA_FILE } from '@wharf/pki';
import { type EnsembleServer, ZK_TLS_ENV, ensembleConnectString } from '@wharf/zk';
import { DEFAULT_ZK_PEER_PORTS, type UpConfig } from './config';
import { type SimulatedHost, planHosts, serviceId, serviceLogFile } from './host-plan';

/** Marker in a director's command line, checked before a recorded pid is signalled. */
export const DIRECTOR_COMMAND_MATCH = 'director/dist/main.js';

/** V8 flag of the control-plane services (services/runner CONTROL_PLANE_NODE_OPTIONS): less idle RSS. */
const DIRECTOR_NODE_OPTIONS = '--max-semi-space-size=1';

/** One director the supervisor runs itself, before any runner. */
export interface DirectorLaunch {
  /** `director-<host>`, as a runner would name it. */
  readonly id: string;
  readonly host: SimulatedHost;
  /** Its ZooKeeper server in the ensemble. */
  readonly member: EnsembleServer;
  /** Its WHARF_HOME (`<home>/hosts/<host>`). */
  readonly home: string;
  /** The member's data directory (services/director main.ts: `<home>/director/zookeeper`). */
  readonly dataDir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly logFile: string;
}

/** Secure mode (`--secure`): where each director's certificates are. */
export interface DirectorTls {
  /** The director's own client certificate (its ZooKeeper sessions, the x509 id its ACLs name). */
  clientDir(hostId: string): string;
  /** Its member's `peer` certificate (TLS client port and TLS quorum traffic). */
  memberDir(hostId: string): string;
  /** x509 id of the members' super user ('' for none). */
  readonly superUser: string;
}

/** A director host's member data directory (services/director main.ts: `<WHARF_HOME>/director/zookeeper`). */
export function memberDataDir(home: string, hostId: string): string {
  return join(home, 'hosts', hostId, 'director', 'zookeeper');
}

/** Every member of the ensemble, in id order. Pure. */
export function planMembers(config: UpConfig): EnsembleServer[] {
  const peers = config.zk.peerPorts ?? DEFAULT_ZK_PEER_PORTS;
  return directorHosts(config).map((host, i) => ({
    id: i + 1,
    host: host.address,
    clientPort: config.zk.embeddedPort,
    quorumPort: peers.quorum,
    electionPort: peers.election,
  }));
}

/** One launch per director host, in host order. Pure. */
export function planDirectors(
  config: UpConfig,
  input: { directorPort: number; secure?: DirectorTls },
): DirectorLaunch[] {
  const members = planMembers(config);
  const connectString = ensembleConnectString(members);
  return directorHosts(config).map((host, i) => {
    const member = members[i]!;
    const id = serviceId('director', host.id);
    const home = join(config.home, 'hosts', host.id);
    return {
      id,
      host,
      member,
      home,
      dataDir: memberDataDir(config.home, host.id),
      logFile: serviceLogFile(config.home, host.id, id),
      env: {
        WHARF_ZK: connectString,
        ...(config.zk.chroot === undefined ? {} : { WHARF_ZK_CHROOT: config.zk.chroot }),
        WHARF_HOME: home,
        WHARF_LOG_LEVEL: config.logLevel,
        WHARF_ID: id,
        WHARF_ZONE: host.zone,
        NODE_OPTIONS: DIRECTOR_NODE_OPTIONS,
        WHARF_DIRECTOR_HOST: host.address,
        WHARF_DIRECTOR_PORT: String(input.directorPort),
        WHARF_DIRECTOR_ZK_MEMBER: [member.id, member.clientPort, member.quorumPort, member.electionPort].join(
          ':',
        ),
        // Director 1 bootstraps; the others join through those before them.
        WHARF_DIRECTOR_ZK_JOIN: ensembleConnectString(members.slice(0, i)),
        ...(input.secure === undefined ? {} : secureEnv(input.secure, host.id)),
      },
    };
  });
}

/** A secure director's environment: its session's certificate, its member's, the super user. */
function secureEnv(tls: DirectorTls, hostId: string): Record<string, string> {
  const client = tls.clientDir(hostId);
  return {
    [ZK_TLS_ENV.ca]: join(client, TRUSTED_CA_FILE),
    [ZK_TLS_ENV.cert]: join(client, SERVICE_CERT_FILE),
    [ZK_TLS_ENV.key]: join(client, SERVICE_KEY_FILE),
    WHARF_DIRECTOR_ZK_TLS_DIR: tls.memberDir(hostId),
    ...(tls.superUser === '' ? {} : { WHARF_DIRECTOR_ZK_SUPER_USER: tls.superUser }),
  };
}

function directorHosts(config: UpConfig): SimulatedHost[] {
  return planHosts(config).filter((h) => (h.roles as readonly string[]).includes('director'));
}
