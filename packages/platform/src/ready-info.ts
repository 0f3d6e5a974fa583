/**
 * What `wharf up` tells the user once everything is healthy, and how it is printed. Pure: the
 * supervisor builds a {@link ReadyInfo}, the attached `wharf up` prints {@link formatReadyInfo}.
 */

import { type ZooKeeperOwner } from './platform-zookeeper';
import { caCertFile } from './secure-bootstrap';

/** Facts about a platform that just became healthy. */
export interface ReadyInfo {
  readonly home: string;
  readonly apiUrl: string;
  readonly proxyUrls: readonly string[];
  /** `tls`: TLS-only with client certificates and ACLs by role (`--secure`). */
  readonly zookeeper: {
    readonly connectString: string;
    readonly embedded: boolean;
    readonly tls?: boolean;
    /** Who runs it (platform-zookeeper.ts); absent in a record from before the directors owned it. */
    readonly owner?: ZooKeeperOwner;
  };
  readonly processes: number;
  /** The simulated hosts, each with its own runner. */
  readonly hosts: readonly {
    readonly id: string;
    readonly address: string;
    readonly zone: string;
    readonly roles: readonly string[];
  }[];
  /** How the runners run the services. */
  readonly mode: 'process' | 'docker';
  readonly logsDir: string;
  readonly apiKeyFile: string;
  /** Set only when this start created the key (the API prints it once; so do we). */
  readonly newApiKey?: string;
  /** An example plan to suggest, when one is installed next to the CLI. */
  readonly examplePlan?: string;
  readonly detached: boolean;
}

/** The lines printed when the platform is up. */
export function formatReadyInfo(info: ReadyInfo): string[] {
  const plan = info.examplePlan ?? 'plan.json';
  // `--secure`: the api serves HTTPS with a certificate from the installation's CA.
  const ca = info.apiUrl.startsWith('https:') ? caCertFile(info.home, info.hosts) : undefined;
  const lines = [
    `Wharf is up: ${info.hosts.length} hosts, services as ${info.mode === 'docker' ? 'containers' : 'processes'}, ZooKeeper ${zooKeeperOwner(info)} at ${info.zookeeper.connectString}`,
    '',
    ...info.hosts.map(
      (h) => `  ${h.id.padEnd(9)} ${h.address.padEnd(10)} ${h.zone.padEnd(7)} ${h.roles.join(', ')}`,
    ),
    '',
    `  API       ${info.apiUrl}`,
    ...(ca === undefined ? [] : [`  API CA    ${ca}`]),
    `  Proxies   ${info.proxyUrls.join('  ')}`,
    `  Logs      ${info.logsDir}`,
    // One host may keep plaintext on loopback for speed, but says so (issue 11).
    info.zookeeper.tls === true
      ? `  Trust     ZooKeeper mutual TLS: a certificate per service, ACLs by role${ca === undefined ? '' : '; API over HTTPS'}`
      : '  Trust     ZooKeeper plaintext on loopback, open ACLs (wharf up --secure for mutual TLS)',
  ];
  // Without a director nobody owns ZooKeeper the way issue 11 wants: say who does.
  if (info.zookeeper.owner === 'wharf-up')
    lines.push('  ZooKeeper run by wharf up itself: no director (--directors 0), no quorum checks');
  if (info.newApiKey !== undefined) {
    lines.push(`  API key   ${info.newApiKey}`, `            (shown once; also saved to ${info.apiKeyFile})`);
  } else {
    lines.push(`  API key   stored in ${info.apiKeyFile}`);
  }
  lines.push(
    '',
    'Create a first deployment:',
    `  curl -s${ca === undefined ? '' : ` --cacert ${ca}`} -X POST ${info.apiUrl}/deployments \\`,
    `    -H "Authorization: ApiKey $(cat ${info.apiKeyFile})" \\`,
    `    -H 'Content-Type: application/json' -d @${plan}`,
    `or: npx wharf deployment create -f ${plan} --track`,
    '',
    info.detached
      ? 'Running in the background; stop it with: npx wharf down'
      : 'Press Ctrl-C to stop everything.',
  );
  return lines;
}

/** Who runs ZooKeeper, for the first line: the director(s), wharf up (embedded), or somebody else. */
function zooKeeperOwner(info: ReadyInfo): string {
  if (info.zookeeper.owner === 'directors') {
    const n = info.hosts.filter((h) => h.roles.includes('director')).length;
    return n === 1 ? 'run by the director (a quorum of one)' : `run by the ${n} directors`;
  }
  return info.zookeeper.embedded ? 'embedded' : 'external';
}
