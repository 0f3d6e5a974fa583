// One-shot `init` service (runs as root in the wharf/director image): creates the state
// directories under WHARF_DATA owned by uid/gid 10001 (the services' user), the platform secret,
// the installation's CA and every certificate (trust.mjs), and renders zoo.cfg from the template:
// ZooKeeper serves mutual TLS only, unless WHARF_PLAINTEXT opts out (plaintext.yml, warned).
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_ROLES, ensureTrust, parseNames } from './trust.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The exact value that turns TLS off: a typo or `1` must not silently downgrade an install. */
const PLAINTEXT_OPT_OUT = 'yes-i-understand';
const UID = 10001;

const log = (message, meta = {}) => console.log(JSON.stringify({ level: 'info', message, ...meta }));
const warn = (message, meta = {}) => console.log(JSON.stringify({ level: 'warn', message, ...meta }));

const data = process.env.WHARF_DATA;
if (!data || !data.startsWith('/')) throw new Error('WHARF_DATA must be an absolute path');
const plaintextValue = process.env.WHARF_PLAINTEXT ?? '';
if (plaintextValue !== '' && plaintextValue !== PLAINTEXT_OPT_OUT) {
  throw new Error(`WHARF_PLAINTEXT must be empty or "${PLAINTEXT_OPT_OUT}"`);
}
const plaintext = plaintextValue === PLAINTEXT_OPT_OUT;

const dirs = ['zookeeper/data', 'zookeeper/conf', 'haproxy', ...Object.keys(SERVICE_ROLES)];
for (const d of dirs) {
  mkdirSync(join(data, d), { recursive: true });
  chownSync(join(data, d), UID, UID);
  if (d.includes('/')) chownSync(join(data, d.split('/')[0]), UID, UID);
}
chownSync(data, UID, UID);
// The director's home holds the CA key: nobody but the services' user may enter it.
chmodSync(join(data, 'director'), 0o700);

// One platform secret for the api and both constructors (each has its own home): they derive
// every etcd deployment's credentials from it (docs/security.md). The api's copy, once made, is
// the one kept.
const SECRET_HOMES = ['api', 'constructor-1', 'constructor-2'];
const secretFile = (home) => join(data, home, 'credentials', 'platform-secret');
const secret = existsSync(secretFile('api'))
  ? readFileSync(secretFile('api'), 'utf8').trim()
  : randomBytes(32).toString('hex');
for (const home of SECRET_HOMES) {
  const dir = join(data, home, 'credentials');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  chownSync(dir, UID, UID);
  writeFileSync(secretFile(home), `${secret}\n`, { mode: 0o600 });
  chmodSync(secretFile(home), 0o600);
  chownSync(secretFile(home), UID, UID);
}

// The CA and the api's HTTPS certificate are made in both modes (HAProxy serves the api over
// HTTPS either way); the opt-out only leaves ZooKeeper's port in plaintext.
const tlsLines = await ensureTrust({
  data,
  bind: process.env.WHARF_BIND,
  prefix: process.env.WHARF_ID_PREFIX ?? '',
  apiNames: parseNames(process.env.WHARF_API_NAMES),
  owner: UID,
  log,
});
const portLines = plaintext
  ? { clientPort: process.env.WHARF_ZK_PORT, clientPortAddress: process.env.WHARF_BIND }
  : tlsLines;
if (plaintext) {
  warn('WHARF_PLAINTEXT: ZooKeeper serves PLAINTEXT without client certificates or ACLs; development only', {
    port: process.env.WHARF_ZK_PORT,
  });
}

const render = (text) =>
  text.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name) => {
    const value = process.env[name];
    if (value === undefined) throw new Error(`zoo.cfg needs ${name}`);
    return value;
  });
const conf = join(data, 'zookeeper/conf');
const zooCfg = [
  render(readFileSync(join(HERE, 'zoo.cfg'), 'utf8')).trimEnd(),
  `# ${plaintext ? 'Plaintext (WHARF_PLAINTEXT)' : 'Mutual TLS only: client certificates from the CA, x509 ACLs'}`,
  ...Object.entries(portLines).map(([k, v]) => `${k}=${v}`),
  '',
].join('\n');
writeFileSync(join(conf, 'zoo.cfg'), zooCfg);
writeFileSync(
  join(conf, 'log4j.properties'),
  [
    'log4j.rootLogger=INFO, CONSOLE',
    'log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender',
    'log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n',
    '',
  ].join('\n'),
);
for (const f of ['zoo.cfg', 'log4j.properties']) chownSync(join(conf, f), UID, UID);
log('wharf init: ready', {
  data,
  zookeeper: `${process.env.WHARF_BIND}:${process.env.WHARF_ZK_PORT}`,
  tls: !plaintext,
});
