/**
 * Shared fixture of the Docker integration tests: starts the engine (failing, never skipping,
 * when it cannot), builds the offline test image once, and removes every container a test file
 * created (by its unique scope label) even when a test failed.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type Dockerode from 'dockerode';

/** The offline test image: etcd, a shell and `sleep`, plus the libc they need. */
export const TEST_IMAGE = 'wharf-test/etcd:3.4';
/** Host binaries copied into the image (each needs only libc; `ldd` finds the rest). */
const IMAGE_BINARIES: Record<string, string> = {
  '/usr/bin/etcd': '/usr/bin/etcd',
  '/bin/dash': '/bin/sh',
  '/bin/sleep': '/bin/sleep',
};
const REPO_ROOT = join(__dirname, '..', '..', '..');

/** Starts dockerd if needed (throws, failing the test file, when it cannot). */
export function ensureEngine(): void {
  execFileSync('bash', [join(REPO_ROOT, 'scripts', 'ensure-docker.sh')], {
    stdio: 'inherit',
    timeout: 120_000,
  });
}

/**
 * Builds {@link TEST_IMAGE} from host files unless it exists: a rootfs tar piped to
 * `docker import` (no registry is reachable). A lock keeps parallel test files from racing.
 */
export function ensureTestImage(): void {
  const copies = Object.entries(IMAGE_BINARIES)
    .map(
      ([from, to]) =>
        `install -D -m 0755 ${from} "$root${to}"; libs+=" $(ldd ${from} | grep -o '/[^ ]*' || true)"`,
    )
    .join('\n');
  const script = `set -euo pipefail
exec 9>/tmp/wharf-test-image.lock; flock 9
docker image inspect ${TEST_IMAGE} >/dev/null 2>&1 && exit 0
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
libs=""
${copies}
for lib in $libs; do install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"; done
mkdir -p "$root/tmp" "$root/data" "$root/etc"; chmod 1777 "$root/tmp"
tar -C "$root" -c . | docker import - ${TEST_IMAGE} >/dev/null`;
  execFileSync('bash', ['-c', script], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 60_000 });
}

/** A scope label value unique to one test file run. */
export function uniqueScope(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Force-removes every container carrying `label=value` (returns how many). */
export async function removeLabelled(docker: Dockerode, label: string, value: string): Promise<number> {
  const found = await docker.listContainers({ all: true, filters: { label: [`${label}=${value}`] } });
  await Promise.all(
    found.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  return found.length;
}
