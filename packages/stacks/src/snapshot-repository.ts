/**
 * The snapshot repository of an installation: where snapshot files live. Today a directory on
 * storage every api and constructor host shares (`snapshot_repository: { type: 'fs', path }` in
 * `/platform/config`); the interface is what an S3-compatible store would implement later
 * (`store` = multipart upload of the verified local file, `localCopy` = download to a temp file).
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { WharfError, assertId } from '@wharf/model';
import { type HookOptions, type MemberEndpoint, type SnapshotResult, type StackPack } from './types';

/** Where one installation keeps its snapshot files. */
export interface SnapshotRepository {
  /** Shown in records and logs (never a credential). */
  readonly location: string;
  /**
   * Runs `write(file)`, which must leave a complete, verified file at `file` (written to a temp
   * name, fsynced, renamed), and keeps it as snapshot `snapshotId` of `deploymentId`.
   */
  store<T>(deploymentId: string, snapshotId: string, write: (file: string) => Promise<T>): Promise<T>;
  /** A local path holding the snapshot's bytes, or undefined when the repository has no such file. */
  localCopy(deploymentId: string, snapshotId: string): Promise<string | undefined>;
  /** Deletes a snapshot's file; no error when it is already gone. */
  remove(deploymentId: string, snapshotId: string): Promise<void>;
}

/** The repository settings stored in `/platform/config`. */
export interface SnapshotRepositoryConfig {
  type: 'fs';
  path: string;
}

/** A repository in a directory: `<path>/<deployment>/<snapshot>.db`. */
export class FsSnapshotRepository implements SnapshotRepository {
  readonly location: string;

  constructor(private readonly root: string) {
    if (!isAbsolute(root)) {
      throw new WharfError('WHARF_VALIDATION', 'snapshot repository path must be absolute', {
        details: [{ path: 'snapshot_repository.path', message: 'must be an absolute path' }],
      });
    }
    this.location = root;
  }

  /** The file of a snapshot; ids are checked before they become path segments. */
  fileOf(deploymentId: string, snapshotId: string): string {
    return join(this.root, assertId('deployment', deploymentId), `${assertId('snapshot', snapshotId)}.db`);
  }

  async store<T>(deploymentId: string, snapshotId: string, write: (file: string) => Promise<T>): Promise<T> {
    const file = this.fileOf(deploymentId, snapshotId);
    await mkdir(join(this.root, deploymentId), { recursive: true, mode: 0o700 });
    return write(file);
  }

  async localCopy(deploymentId: string, snapshotId: string): Promise<string | undefined> {
    const file = this.fileOf(deploymentId, snapshotId);
    try {
      return (await stat(file)).isFile() ? file : undefined;
    } catch {
      return undefined;
    }
  }

  async remove(deploymentId: string, snapshotId: string): Promise<void> {
    await rm(this.fileOf(deploymentId, snapshotId), { force: true });
  }
}

/** The repository a configuration names. */
export function openRepository(config: SnapshotRepositoryConfig): SnapshotRepository {
  return new FsSnapshotRepository(config.path);
}

/**
 * The repository `/platform/config` names (`snapshot_repository`), for the api (take, restore)
 * and the constructor (`_restore`, snapshot before a change); `WHARF_SNAPSHOT_UNSUPPORTED` when
 * the installation has none.
 */
export function configuredRepository(
  config: { snapshot_repository?: SnapshotRepositoryConfig } | undefined,
): SnapshotRepository {
  if (config?.snapshot_repository === undefined) {
    throw new WharfError('WHARF_SNAPSHOT_UNSUPPORTED', 'no snapshot repository is configured', {
      details: [{ path: 'snapshot_repository', message: 'missing from /platform/config' }],
    });
  }
  return openRepository(config.snapshot_repository);
}

/**
 * Streams a snapshot of `member` into `repository` as snapshot `snapshotId` of `deploymentId`
 * (the pack writes a temp file, fsyncs, renames) and verifies the stored file again. The caller
 * writes the record only after this resolves, and removes the file when it throws.
 */
export async function storeVerifiedSnapshot(
  pack: StackPack,
  repository: SnapshotRepository,
  target: { deploymentId: string; snapshotId: string; member: MemberEndpoint },
  options?: HookOptions,
): Promise<SnapshotResult> {
  const { deploymentId, snapshotId, member } = target;
  const written = await repository.store(deploymentId, snapshotId, (file) =>
    pack.snapshot(member, file, options),
  );
  return pack.verifySnapshot(written.file);
}
