/** How the allocator finds the stack pack of a spec's `stack` kind. */
import { type StackPack, getStackPack } from '@wharf/stacks';

/** Looks up the pack of a stack kind; throws for an unknown kind. */
export type StackCatalog = (kind: string) => StackPack;

/** The catalog of the packs `@wharf/stacks` ships. */
export function stackCatalog(): StackCatalog {
  return (kind) => getStackPack(kind);
}
