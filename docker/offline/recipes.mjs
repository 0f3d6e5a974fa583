/**
 * What goes into each offline base image. A recipe's `assemble(root)` copies host files into the
 * root filesystem; `changes` are the Dockerfile instructions `docker import --change` applies.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The non-root user every Wharf image runs as (above the 1000-range of host accounts). */
export const WHARF_UID = 10001;
export const WHARF_GID = 10001;

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Where Debian's zookeeper package puts its jars (see packages/zk/src/zk-config.ts). */
const JAVA_SHARE = '/usr/share/java';

/**
 * Jars beyond zookeeper.jar's manifest Class-Path: an slf4j binding + log4j 1.2 (otherwise
 * slf4j drops every log line) and the three netty jars the manifest misses (TLS client port).
 * Mirrors SERVER_JARS in packages/zk/src/zk-config.ts.
 */
const ZK_EXTRA_JARS = [
  'slf4j-log4j12.jar',
  'log4j-1.2.jar',
  'netty-codec.jar',
  'netty-resolver.jar',
  'netty-transport-native-unix-common.jar',
];

/**
 * JDK modules ZooKeeper 3.8 and its jars use: JMX (java.management, jdk.management), SASL and
 * Kerberos (java.security.*), log4j 1.2's java.beans (java.desktop), netty's Unsafe
 * (jdk.unsupported), TLS with EC keys (jdk.crypto.ec), jackson's optional java.sql types.
 */
const ZK_JDK_MODULES = [
  'java.base',
  'java.logging',
  'java.management',
  'java.naming',
  'java.security.jgss',
  'java.security.sasl',
  'java.xml',
  'java.desktop',
  'java.sql',
  'jdk.unsupported',
  'jdk.management',
  'jdk.crypto.ec',
  'jdk.zipfs',
];

/** JVM flags as in packages/zk/src/zk-config.ts: small heap, serial GC, C1 only (fast start). */
const ZK_JVM_FLAGS = [
  '-Xms32m',
  '-Xmx256m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Djava.awt.headless=true',
  '-Dzookeeper.jmx.log4j.disable=true',
];

/**
 * Wharf's ZooKeeper classes (packages/zk/java): the x509 auth provider whose ACL ids match by
 * role (`OU=proxy,O=Wharf`), which the compose install's TLS port registers, and the reconfig
 * tool. Compiled here with the host JDK's javac against the zookeeper.jar the image carries, as
 * packages/zk/src/x509-provider.ts does for the embedded server.
 */
const WHARF_JAVA_SOURCES = ['WharfX509AuthenticationProvider.java', 'WharfReconfig.java'].map((f) =>
  fileURLToPath(new URL(`../../packages/zk/java/${f}`, import.meta.url)),
);
/** Where the compiled classes go in the image (on the CMD's classpath). */
const WHARF_CLASSES = '/opt/wharf/classes';

/** Compiles {@link WHARF_JAVA_SOURCES} into the image; sources hashed into the inputs. */
function addWharfClasses(root, log) {
  const javac = join(javaHome(), 'bin', 'javac');
  const sources = WHARF_JAVA_SOURCES.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  const digest = createHash('sha256').update(sources).digest('hex');
  root.later(WHARF_CLASSES, `javac ${digest}`, () => {
    log("compiling Wharf's ZooKeeper classes");
    fs.mkdirSync(root.path(WHARF_CLASSES), { recursive: true });
    execFileSync(
      javac,
      ['-cp', join(JAVA_SHARE, 'zookeeper.jar'), '-d', root.path(WHARF_CLASSES), ...WHARF_JAVA_SOURCES],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  });
}

/** Absolute path of `cmd` on PATH, symlinks resolved. */
function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.realpathSync(p);
    } catch {
      /* not in this dir */
    }
  }
  throw new Error(`${cmd} not found on PATH (install it on the host first)`);
}

/** The jars a jar's manifest Class-Path names, transitively (missing ones skipped, as java does). */
function jarClosure(start) {
  const seen = new Set();
  const queue = [...start];
  while (queue.length > 0) {
    const jar = queue.shift();
    if (seen.has(jar) || !fs.existsSync(jar)) continue;
    seen.add(jar);
    let manifest = '';
    try {
      manifest = execFileSync('unzip', ['-p', jar, 'META-INF/MANIFEST.MF'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      continue;
    }
    // Manifest lines are wrapped at 72 bytes; a continuation line starts with one space.
    const unwrapped = manifest.replace(/\r?\n /g, '');
    const cp = unwrapped.match(/^Class-Path:\s*(.*)$/m);
    if (!cp) continue;
    for (const entry of cp[1].trim().split(/\s+/))
      queue.push(entry.startsWith('/') ? entry : join(dirname(jar), entry));
  }
  return [...seen];
}

/** JAVA_HOME of the host's `java`. */
function javaHome() {
  return dirname(dirname(which('java')));
}

/** Adds a JRE at /opt/java: jlink'ed from the JDK's jmods when present, else a pruned copy. */
function addJre(root, log) {
  const home = javaHome();
  const jlink = join(home, 'bin', 'jlink');
  const jmods = join(home, 'jmods');
  const release = fs.readFileSync(join(home, 'release'), 'utf8');
  if (fs.existsSync(jlink) && fs.existsSync(jmods)) {
    root.later('/opt/java', `jlink ${home} ${ZK_JDK_MODULES.join(',')}\n${release}`, () => {
      log(`jlink ${ZK_JDK_MODULES.length} modules from ${home}`);
      execFileSync(
        jlink,
        [
          '--module-path',
          jmods,
          '--add-modules',
          ZK_JDK_MODULES.join(','),
          '--strip-debug',
          '--no-header-files',
          '--no-man-pages',
          '--compress=2',
          '--output',
          root.path('/opt/java'),
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
      for (const lib of libsOf(root.path('/opt/java'))) root.copyFile(lib);
    });
    return;
  }
  // A JRE without jmods (default-jre-headless): copy it, following Debian's symlinks into /etc,
  // minus what a headless server never loads.
  const skip = new Set(['jmods', 'include', 'man', 'docs', 'legal', 'src.zip', 'ct.sym', 'demo']);
  root.later('/opt/java', `copy ${home}\n${release}`, () => {
    log(`copying the JRE from ${home}`);
    fs.cpSync(home, root.path('/opt/java'), {
      recursive: true,
      dereference: true,
      filter: (src) =>
        !skip.has(
          src
            .slice(home.length + 1)
            .split('/')
            .pop(),
        ) && !/libawt_xawt|libsplashscreen|libjsound/.test(src),
    });
    for (const lib of libsOf(root.path('/opt/java'))) root.copyFile(lib);
  });
}

/** System libraries (outside `dir`) that the ELF files under `dir` load. */
function libsOf(dir) {
  const libs = new Set();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath ?? entry.path, entry.name);
    if (!entry.isFile() || !(/\.so(\.|$)/.test(entry.name) || full.includes('/bin/'))) continue;
    let out = '';
    try {
      out = execFileSync('ldd', [full], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      continue;
    }
    for (const m of out.matchAll(/=>\s*(\/\S+)|^\s*(\/\S+)\s/gm)) {
      const lib = m[1] ?? m[2];
      if (!lib.startsWith('/opt/') && !lib.startsWith(dir)) libs.add(lib);
    }
  }
  return libs;
}

const ZOO_CFG = [
  '# Default standalone config; mount your own over /conf/zoo.cfg.',
  'tickTime=2000',
  'initLimit=10',
  'syncLimit=5',
  'dataDir=/data',
  'clientPort=2181',
  'admin.enableServer=false',
  '4lw.commands.whitelist=ruok,srvr,stat,mntr,conf,isro',
  'autopurge.snapRetainCount=3',
  'autopurge.purgeInterval=1',
  '',
].join('\n');

const LOG4J = [
  'log4j.rootLogger=INFO, CONSOLE',
  'log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender',
  'log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} %-5p [%t:%C{1}@%L] - %m%n',
  '',
].join('\n');

/** Filled in by the zookeeper recipe's assemble(): the CMD needs the jar list. */
const zkCmd = [];

export const recipes = {
  'node-base': {
    tag: 'wharf/node-base:20',
    default: true,
    changes: [
      `ENV ${PATH_ENV}`,
      'ENV LANG=C.UTF-8',
      'ENV NODE_ENV=production',
      `USER ${WHARF_UID}`,
      'WORKDIR /home/wharf',
      'CMD ["node"]',
    ],
    assemble(root) {
      root.copyBinary(which('node'), '/usr/bin/node');
    },
  },
  etcd: {
    tag: 'wharf/etcd:3.4',
    default: true,
    changes: [
      `ENV ${PATH_ENV}`,
      'ENV LANG=C.UTF-8',
      `USER ${WHARF_UID}`,
      'WORKDIR /data',
      'CMD ["/usr/bin/etcd", "--data-dir=/data", "--listen-client-urls=http://0.0.0.0:2379", "--advertise-client-urls=http://127.0.0.1:2379"]',
    ],
    assemble(root) {
      root.copyBinary(which('etcd'), '/usr/bin/etcd');
      // etcd refuses a data dir that others can read; 0700 owned by the image user.
      root.mkdir('/data', 0o700, WHARF_UID, WHARF_GID);
    },
  },
  zookeeper: {
    tag: 'wharf/zookeeper:3.8',
    default: true,
    get changes() {
      return [
        `ENV ${PATH_ENV}:/opt/java/bin`,
        'ENV LANG=C.UTF-8',
        'ENV JAVA_HOME=/opt/java',
        `USER ${WHARF_UID}`,
        'WORKDIR /data',
        `CMD ${JSON.stringify(zkCmd)}`,
      ];
    },
    assemble(root, { log }) {
      addJre(root, log);
      root.symlink('/opt/java/bin/java', '/usr/bin/java');
      const jars = jarClosure([
        join(JAVA_SHARE, 'zookeeper.jar'),
        ...ZK_EXTRA_JARS.map((j) => join(JAVA_SHARE, j)),
      ]);
      for (const jar of jars) root.copyFile(jar);
      root.writeFile('/conf/zoo.cfg', ZOO_CFG);
      root.writeFile('/conf/log4j.properties', LOG4J);
      root.mkdir('/data', 0o700, WHARF_UID, WHARF_GID);
      addWharfClasses(root, log);
      // zookeeper.jar first; the conf dir carries log4j.properties.
      const cp = ['/conf', ...jars, WHARF_CLASSES].join(':');
      zkCmd.splice(
        0,
        zkCmd.length,
        '/usr/bin/java',
        ...ZK_JVM_FLAGS,
        '-cp',
        cp,
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        '/conf/zoo.cfg',
      );
    },
  },
  haproxy: {
    tag: 'wharf/haproxy:2.6',
    default: false,
    changes: [
      `ENV ${PATH_ENV}`,
      'ENV LANG=C.UTF-8',
      `USER ${WHARF_UID}`,
      'CMD ["/usr/sbin/haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]',
    ],
    assemble(root) {
      root.copyBinary(which('haproxy'), '/usr/sbin/haproxy');
      root.mkdir('/usr/local/etc/haproxy', 0o755);
      root.mkdir('/var/lib/haproxy', 0o755, WHARF_UID, WHARF_GID);
    },
  },
};
