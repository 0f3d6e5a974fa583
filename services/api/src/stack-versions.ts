/**
 * Stack versions the api accepts, read from the stack packs (`@wharf/stacks`), the source of
 * truth for what the allocators can run.
 */
import { getStackPack, isStackKind } from '@wharf/stacks';
import { type SupportedVersions } from './domain/plans';

/** A {@link SupportedVersions} backed by the stack pack registry. */
export function versionsFromStackPacks(): SupportedVersions {
  return (kind) => (isStackKind(kind) ? getStackPack(kind).versions : undefined);
}

/** A {@link SupportedVersions} over a fixed table (tests, or pinning what an installation offers). */
export function versionsFromTable(
  table: Readonly<Record<string, readonly string[] | undefined>>,
): SupportedVersions {
  return (kind) => table[kind];
}
