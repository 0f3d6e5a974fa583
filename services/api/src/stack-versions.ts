/**
 * Stack versions the api accepts. The stack packs (`@wharf/stacks`, `getStackPack(kind).versions`)
 * are the source of truth; until the api depends on that package, main.ts injects this table,
 * which must list the same versions.
 */
import { type StackKind } from '@wharf/model';
import { type SupportedVersions } from './domain/plans';

/** Versions per stack kind while `@wharf/stacks` is not wired in. */
export const FALLBACK_STACK_VERSIONS: Readonly<Record<StackKind, readonly string[]>> = Object.freeze({
  etcd: ['3.4'],
  http: ['1'],
});

/** A {@link SupportedVersions} over a fixed table. */
export function versionsFromTable(
  table: Readonly<Partial<Record<StackKind, readonly string[]>>>,
): SupportedVersions {
  return (kind) => table[kind];
}
