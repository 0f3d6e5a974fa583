/**
 * Shared fixture of the Docker integration tests: a scope unique to a test file, and removal of
 * every container it created (by that scope label) even when a test failed. The engine and the
 * offline test image come from `ensureEtcdTestImage()` of @wharf/testkit.
 */
import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { ETCD_TEST_IMAGE } from '@wharf/testkit';

/** The offline etcd test image, built by `ensureEtcdTestImage()` of @wharf/testkit. */
export const TEST_IMAGE = ETCD_TEST_IMAGE;

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
