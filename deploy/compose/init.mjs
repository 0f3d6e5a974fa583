// One-shot `init` service (runs as root in wharf/node-base): creates the state directories under
// WHARF_DATA owned by uid/gid 10001 (the services' user) and renders zoo.cfg from the template.
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const data = process.env.WHARF_DATA;
if (!data || !data.startsWith('/')) throw new Error('WHARF_DATA must be an absolute path');
const UID = 10001;
const dirs = [
  'zookeeper/data',
  'zookeeper/conf',
  'api',
  'constructor-1',
  'constructor-2',
  'allocator-a',
  'allocator-b',
  'allocator-c',
  'proxy-1',
  'proxy-2',
];
for (const d of dirs) {
  mkdirSync(join(data, d), { recursive: true });
  chownSync(join(data, d), UID, UID);
  if (d.includes('/')) chownSync(join(data, d.split('/')[0]), UID, UID);
}
chownSync(data, UID, UID);
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
const render = (text) =>
  text.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name) => {
    const value = process.env[name];
    if (value === undefined) throw new Error(`zoo.cfg needs ${name}`);
    return value;
  });
const conf = join(data, 'zookeeper/conf');
writeFileSync(join(conf, 'zoo.cfg'), render(readFileSync('/compose/zoo.cfg', 'utf8')));
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
console.log(`wharf init: ${data} ready, zookeeper on ${process.env.WHARF_BIND}:${process.env.WHARF_ZK_PORT}`);
