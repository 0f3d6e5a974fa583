import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root, from this file's place in `packages/testkit/{src,dist}`. */
const REPO_ROOT = resolve(__dirname, '..', '..', '..');
/** dockerd answers in 2-8 s here; a fresh machine also apt-installs docker.io first. */
const ENGINE_TIMEOUT_MS = 300_000;
/** A cold `docker/build.sh` takes about 50 s; a loaded 2-core CI box, several times that. */
const IMAGE_BUILD_TIMEOUT_MS = 400_000;
/** `docker/build.sh` prints a line per image; a cold build's output stays well under this. */
const BUILD_OUTPUT_LIMIT_BYTES = 64 * 1024 * 1024;

/** The offline test image: etcd, a shell and `sleep`, plus the libc they need. */
export const ETCD_TEST_IMAGE = 'wharf-test/etcd:3.4';
/** Host binaries copied into {@link ETCD_TEST_IMAGE} (each needs only libc; `ldd` finds the rest). */
const ETCD_TEST_IMAGE_BINARIES: Record<string, string> = {
  '/usr/bin/etcd': '/usr/bin/etcd',
  '/bin/dash': '/bin/sh',
  '/bin/sleep': '/bin/sleep',
};

async function runScript(what: string, args: string[], timeout: number): Promise<string> {
  try {
    const { stdout } = await run('bash', args, {
      cwd: REPO_ROOT,
      timeout,
      maxBuffer: BUILD_OUTPUT_LIMIT_BYTES,
    });
    return stdout;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${what} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, {
      cause: err,
    });
  }
}

/**
 * Makes a Docker engine answer on the default socket: `scripts/ensure-docker.sh` installs
 * docker.io and starts dockerd when needed. Rejects (failing the test file, never skipping it)
 * when it cannot.
 */
export async function ensureDockerEngine(): Promise<void> {
  await runScript(
    'scripts/ensure-docker.sh',
    [resolve(REPO_ROOT, 'scripts', 'ensure-docker.sh')],
    ENGINE_TIMEOUT_MS,
  );
}

/**
 * Builds every `wharf/*` image with `docker/build.sh` (which starts the engine first; images whose
 * inputs are unchanged are skipped, concurrent builds wait on its lock). Resolves to its output.
 */
export async function ensureWharfImages(): Promise<string> {
  return runScript('docker/build.sh', [resolve(REPO_ROOT, 'docker', 'build.sh')], IMAGE_BUILD_TIMEOUT_MS);
}

/**
 * Starts the engine and builds {@link ETCD_TEST_IMAGE} from host files unless it exists: a rootfs
 * tar piped to `docker import` (no registry is reachable). A lock keeps parallel files from racing.
 */
export async function ensureEtcdTestImage(): Promise<void> {
  await ensureDockerEngine();
  const copies = Object.entries(ETCD_TEST_IMAGE_BINARIES)
    .map(
      ([from, to]) =>
        `install -D -m 0755 ${from} "$root${to}"; libs+=" $(ldd ${from} | grep -o '/[^ ]*' || true)"`,
    )
    .join('\n');
  const script = `set -euo pipefail
exec 9>/tmp/wharf-test-image.lock; flock 9
docker image inspect ${ETCD_TEST_IMAGE} >/dev/null 2>&1 && exit 0
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
libs=""
${copies}
for lib in $libs; do install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"; done
mkdir -p "$root/tmp" "$root/data" "$root/etc"; chmod 1777 "$root/tmp"
tar -C "$root" -c . | docker import - ${ETCD_TEST_IMAGE} >/dev/null`;
  await runScript(`building ${ETCD_TEST_IMAGE}`, ['-c', script], ENGINE_TIMEOUT_MS);
}
