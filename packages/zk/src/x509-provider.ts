import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WharfError } from '@wharf/model';

/*
 * ZooKeeper's stock X509AuthenticationProvider matches an ACL id to a client only by string
 * equality (checked in the 3.8 jar with javap), so an ACL can name one host's certificate but
 * never "every proxy". Wharf's ACLs are by role (zk-acl-policy.ts), so the embedded server runs a
 * 30-line subclass (java/WharfX509AuthenticationProvider.java) whose ids also match by RDN
 * suffix: `OU=proxy,O=Wharf` is every proxy, `O=Wharf` every certificate of the installation.
 * It is compiled from source against the host's zookeeper.jar on first use (javac ships with the
 * JDK that runs ZooKeeper), into this package's own dist directory: never a shared temp dir,
 * where anyone could plant a class that the server would then load.
 */

/** The provider class (registered as `authProvider.x509`, so its scheme stays `x509`). */
export const WHARF_X509_AUTH_PROVIDER = 'io.wharf.zookeeper.WharfX509AuthenticationProvider';

/** The reconfiguration tool (ensemble.ts): node-zookeeper-client has no reconfig request. */
export const WHARF_RECONFIG_CLASS = 'io.wharf.zookeeper.WharfReconfig';

/** Wharf's Java sources, shipped with this package (`files` in package.json), compiled together. */
export const JAVA_SOURCES: readonly string[] = Object.freeze(
  ['WharfX509AuthenticationProvider.java', 'WharfReconfig.java'].map((f) => join(__dirname, '..', 'java', f)),
);

/** Compiling one class takes ~1.5 s on an idle core and several seconds on a loaded 2-core box. */
export const JAVAC_TIMEOUT_MS = 120_000;

const execFileAsync = promisify(execFile);

/** Options of {@link ensureX509Provider}. */
export interface X509ProviderBuild {
  /** Directory with zookeeper.jar (compiled against it). */
  readonly javaDir: string;
  /** `javac` executable (default from PATH). */
  readonly javacPath?: string;
  /** Where compiled classes are kept (default `<package>/dist/java-classes`). */
  readonly outputRoot?: string;
}

/**
 * Compiles Wharf's Java classes (the x509 provider and the reconfig tool) once per source and zookeeper.jar (content-addressed directory) and
 * returns the classpath entry holding it. Concurrent callers (parallel test workers) each compile
 * into a private directory and rename it into place; the first rename wins, the others discard.
 */
export async function ensureX509Provider(build: X509ProviderBuild): Promise<string> {
  const jar = join(build.javaDir, 'zookeeper.jar');
  const hash = createHash('sha256');
  for (const file of JAVA_SOURCES) hash.update(await readFile(file));
  const jarStat = await stat(jar);
  const key = hash.update(`${jar}:${jarStat.size}:${jarStat.mtimeMs}`).digest('hex').slice(0, 16);
  const root = build.outputRoot ?? join(__dirname, 'java-classes');
  const target = join(root, key);
  if (await exists(join(target, 'io', 'wharf', 'zookeeper', 'WharfReconfig.class'))) {
    return target;
  }
  await mkdir(root, { recursive: true, mode: 0o755 });
  const scratch = await mkdtemp(join(root, '.build-'));
  try {
    await execFileAsync(build.javacPath ?? 'javac', ['-cp', jar, '-d', scratch, ...JAVA_SOURCES], {
      timeout: JAVAC_TIMEOUT_MS,
    });
    await rename(scratch, target).catch(async (err: NodeJS.ErrnoException) => {
      // Another worker won the race: its directory is as good as ours.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      await rm(scratch, { recursive: true, force: true });
    });
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw new WharfError('WHARF_INTERNAL', 'cannot compile the zookeeper x509 auth provider', {
      details: { sources: JAVA_SOURCES, javaDir: build.javaDir },
      cause: err,
    });
  }
  return target;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
