import { join } from 'node:path';

/** Where Debian's zookeeper package puts its jars. */
export const DEFAULT_JAVA_DIR = '/usr/share/java';

/**
 * Jars for a standalone server. Debian's zookeeper.jar lists its dependencies in its manifest
 * Class-Path (jute, netty, jetty, slf4j-api…), and zkEnv.sh adds only the conf dir. We add:
 * an slf4j binding + log4j 1.2 so logs go to a file we choose (without one slf4j prints a
 * warning and drops everything), and the three netty jars the manifest misses (needed by the
 * TLS client port; harmless otherwise).
 */
export const SERVER_JARS: readonly string[] = Object.freeze([
  'zookeeper.jar',
  'slf4j-log4j12.jar',
  'log4j-1.2.jar',
  'netty-codec.jar',
  'netty-resolver.jar',
  'netty-transport-native-unix-common.jar',
]);

/** The server's main class (standalone when the config has no quorum). */
export const ZOOKEEPER_MAIN_CLASS = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';

/**
 * JVM flags: a small heap and the serial collector suit a single-host control plane and a
 * 2-core CI box; C1-only compilation halves start-up time.
 */
export const JVM_FLAGS: readonly string[] = Object.freeze([
  '-Xms32m',
  '-Xmx256m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Djava.awt.headless=true',
  '-Dzookeeper.jmx.log4j.disable=true',
]);

/** Settings that go into zoo.cfg. */
export interface ZooCfg {
  readonly dataDir: string;
  readonly host: string;
  /** Plaintext client port; null for none (a TLS-only server, see zk-tls-config.ts). */
  readonly port: number | null;
  readonly tickTimeMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly extra?: Readonly<Record<string, string | number>>;
}

/** Renders zoo.cfg: loopback-only client port, no admin server, four-letter words allowed. */
export function renderZooCfg(cfg: ZooCfg): string {
  const lines: Record<string, string | number> = {
    tickTime: cfg.tickTimeMs,
    dataDir: cfg.dataDir,
    // `clientPortAddress` is only valid together with `clientPort` (machine-notes.md).
    ...(cfg.port === null ? {} : { clientPortAddress: cfg.host, clientPort: cfg.port }),
    'admin.enableServer': 'false',
    '4lw.commands.whitelist': '*',
    minSessionTimeout: cfg.tickTimeMs * 2,
    maxSessionTimeout: cfg.maxSessionTimeoutMs,
    // Purge old snapshots/logs so a long-lived embedded server does not fill the disk.
    'autopurge.snapRetainCount': 3,
    'autopurge.purgeInterval': 1,
    ...cfg.extra,
  };
  return `${Object.entries(lines)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

/** log4j 1.2 config: INFO and above to `<logFile>`, nothing on stdout. */
export function renderLog4j(logFile: string): string {
  return [
    'log4j.rootLogger=INFO, FILE',
    'log4j.appender.FILE=org.apache.log4j.FileAppender',
    `log4j.appender.FILE.File=${logFile}`,
    'log4j.appender.FILE.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.FILE.layout.ConversionPattern=%d{ISO8601} %-5p [%t:%C{1}@%L] - %m%n',
    '',
  ].join('\n');
}

/**
 * The `java` argv (without the executable) for a server with `configFile` and `log4jFile`;
 * `properties` are extra `-D` flags (e.g. the x509 super user), `extraClasspath` directories or
 * jars appended to the server's (e.g. Wharf's x509 auth provider).
 */
export function javaArgs(
  javaDir: string,
  configFile: string,
  log4jFile: string,
  properties: readonly string[] = [],
  extraClasspath: readonly string[] = [],
): string[] {
  const classpath = [...SERVER_JARS.map((jar) => join(javaDir, jar)), ...extraClasspath].join(':');
  return [
    ...JVM_FLAGS,
    ...properties,
    `-Dlog4j.configuration=file:${log4jFile}`,
    '-cp',
    classpath,
    ZOOKEEPER_MAIN_CLASS,
    configFile,
  ];
}
