/**
 * The part of a session a {@link DocumentStore} uses, typed structurally: a `ZkSession` fits, and
 * so does a service's own narrower port (the constructor's `ZkPort`) or a test fake.
 */
import { type ZkCreateMode, type ZkData } from './types';

/** The stat fields the store needs; a full `ZkStat` has them. */
export interface VersionStat {
  readonly version: number;
}

/** A MULTI builder (a `ZkTransaction` fits); `R` is what `commit()` resolves to. */
export interface DocumentTxPort<R = unknown> {
  create(path: string, data?: ZkData, mode?: ZkCreateMode): unknown;
  set(path: string, data: ZkData, version: number): unknown;
  delete(path: string, version?: number): unknown;
  check(path: string, version: number): unknown;
  commit(): Promise<R>;
}

/** Promise ZooKeeper operations over paths relative to the chroot. */
export interface DocumentPort<S extends VersionStat = VersionStat, R = unknown> {
  get(path: string): Promise<{ readonly data: Buffer; readonly stat: S }>;
  create(path: string, data?: ZkData, mode?: ZkCreateMode): Promise<string>;
  set(path: string, data: ZkData, version: number): Promise<VersionStat>;
  delete(path: string, version?: number): Promise<void>;
  children(path: string): Promise<string[]>;
  mkdirp(path: string): Promise<void>;
  transaction(): DocumentTxPort<R>;
}
