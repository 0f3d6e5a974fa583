/**
 * A director added to a running installation (`wharf director add <host-id>`), beside those
 * `wharf up` planned: what its process needs — the same environment a planned director gets
 * (director-plan.ts), with its ZooKeeper member's id and ports decided by the CLI against the
 * live ensemble — and the two secrets every director shares, copied into its home the way
 * `wharf up` copies them (director-ensemble.ts): the ensemble super password and the CA.
 */
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WharfError } from '@wharf/model';
import {
  CA_CERT_FILE,
  CA_KEY_FILE,
  SERVICE_CERT_FILE,
  SERVICE_KEY_FILE,
  TRUSTED_CA_FILE,
  loadOrCreateCa,
  writeTlsCredentials,
} from '@wharf/pki';
import { type EnsembleServer, ZK_TLS_ENV, ensembleConnectString, roleX509Id } from '@wharf/zk';
import { DIRECTOR_COMMAND_MATCH, memberDataDir } from './director-plan';
import { serviceId, serviceLogFile } from './host-plan';
import { hostTlsDir, memberTlsDir } from './secure-bootstrap';

/** V8 flag of the control-plane services, as for a planned director (director-plan.ts). */
const DIRECTOR_NODE_OPTIONS = '--max-semi-space-size=1';

/** What {@link planGrownDirector} needs. */
export interface GrownDirectorInput {
  /** The installation home (`wharf up`'s WHARF_HOME). */
  readonly home: string;
  readonly host: { readonly id: string; readonly address: string; readonly zone: string };
  /** The new member: its id and ports, on the host's address. */
  readonly member: EnsembleServer;
  /** The ensemble's members now (the director's own session also learns the new one). */
  readonly members: readonly EnsembleServer[];
  /** The serving voters the member joins through. */
  readonly joinAt: string;
  readonly chroot: string;
  readonly directorPort: number;
  readonly logLevel: string;
}

/** One grown director's process. */
export interface GrownDirector {
  readonly id: string;
  readonly home: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly commandMatch: string;
  readonly env: Readonly<Record<string, string>>;
}

/** The launch of a director added to a running installation (secure mode: add {@link issueGrownDirectorTls}'s). Pure. */
export function planGrownDirector(input: GrownDirectorInput): GrownDirector {
  const { home, host, member } = input;
  const id = serviceId('director', host.id);
  const dirHome = join(home, 'hosts', host.id);
  const others = input.members.filter((s) => s.id !== member.id);
  return {
    id,
    home: dirHome,
    dataDir: memberDataDir(home, host.id),
    logFile: serviceLogFile(home, host.id, id),
    commandMatch: DIRECTOR_COMMAND_MATCH,
    env: {
      WHARF_ZK: ensembleConnectString([...others, member]),
      WHARF_ZK_CHROOT: input.chroot,
      WHARF_HOME: dirHome,
      WHARF_LOG_LEVEL: input.logLevel,
      WHARF_ID: id,
      WHARF_ZONE: host.zone,
      NODE_OPTIONS: DIRECTOR_NODE_OPTIONS,
      WHARF_DIRECTOR_HOST: host.address,
      WHARF_DIRECTOR_PORT: String(input.directorPort),
      WHARF_DIRECTOR_ZK_MEMBER: [member.id, member.clientPort, member.quorumPort, member.electionPort].join(
        ':',
      ),
      WHARF_DIRECTOR_ZK_JOIN: input.joinAt,
    },
  };
}

/**
 * Gives a grown director the installation's super password (`<home>/credentials/zk-super`) and
 * CA (copied from `caHome`, an existing director's home; the key stays 0600 on director hosts),
 * unless it holds them already. Without them it would make a CA of its own and could not reconfigure.
 */
export async function shareDirectorSecrets(
  home: string,
  directorHome: string,
  caHome: string,
): Promise<void> {
  const password = (await readFile(join(home, 'credentials', 'zk-super'), 'utf8').catch(() => '')).trim();
  const from = join(caHome, 'ca');
  if (password === '' || !existsSync(join(from, CA_KEY_FILE))) {
    throw new WharfError('WHARF_NOT_FOUND', 'no ensemble super password or CA to give the new director', {
      details: [{ path: home, message: `need credentials/zk-super and ${from}/${CA_KEY_FILE}` }],
    });
  }
  await mkdir(join(directorHome, 'director'), { recursive: true, mode: 0o700 });
  await writeFile(join(directorHome, 'director', 'zk-super'), `${password}\n`, { mode: 0o600 });
  const to = join(directorHome, 'ca');
  if (existsSync(join(to, CA_KEY_FILE))) return;
  await mkdir(to, { recursive: true, mode: 0o700 });
  for (const file of [CA_KEY_FILE, CA_CERT_FILE]) await copyFile(join(from, file), join(to, file));
  await chmod(join(to, CA_KEY_FILE), 0o600);
}

/**
 * Secure mode (`wharf up --secure`): issues the grown director's certificates from the
 * installation's CA (in `caHome`, a director host's home) as `wharf up --secure --directors 3`
 * issues them — its member's `peer` certificate naming only its own address (and `localhost` on
 * loopback: a connection from another 127.x member arrives from 127.0.0.1), and its own client
 * certificate — and returns the environment that points the director at them.
 */
export async function issueGrownDirectorTls(
  home: string,
  host: { readonly id: string; readonly address: string },
  caHome: string,
  passphrase: string | undefined,
): Promise<Record<string, string>> {
  const { ca } = await loadOrCreateCa(join(caHome, 'ca'), passphrase === undefined ? {} : { passphrase });
  const member = await ca.issue({
    profile: 'peer',
    subject: { hostId: host.id, role: 'zookeeper' },
    sans: { dns: host.address.startsWith('127.') ? ['localhost'] : [], ips: [host.address] },
  });
  const memberDir = memberTlsDir(home, host.id);
  await writeTlsCredentials(memberDir, { ca: ca.certPem, cert: member.certPem, key: member.keyPem });
  const client = await ca.issue({ profile: 'client', subject: { hostId: host.id, role: 'director' } });
  const clientDir = join(hostTlsDir(home, host.id), 'director');
  await writeTlsCredentials(clientDir, { ca: ca.certPem, cert: client.certPem, key: client.keyPem });
  return {
    [ZK_TLS_ENV.ca]: join(clientDir, TRUSTED_CA_FILE),
    [ZK_TLS_ENV.cert]: join(clientDir, SERVICE_CERT_FILE),
    [ZK_TLS_ENV.key]: join(clientDir, SERVICE_KEY_FILE),
    WHARF_DIRECTOR_ZK_TLS_DIR: memberDir,
    // Every director is the members' super user (a role-wide id), as wharf up configures them.
    WHARF_DIRECTOR_ZK_SUPER_USER: roleX509Id('director'),
  };
}
