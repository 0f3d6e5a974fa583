/** The stack packs Wharf knows, by kind. */
import { WharfError } from '@wharf/model';
import { createEtcdPack } from './etcd/pack';
import { createHttpPack } from './http/pack';
import { type StackPack } from './types';

const PACKS: ReadonlyMap<string, StackPack> = new Map([
  ['etcd', createEtcdPack()],
  ['http', createHttpPack()],
]);

/** Every known stack kind, sorted. */
export function stackKinds(): string[] {
  return [...PACKS.keys()].sort();
}

/** True when `kind` names a known stack. */
export function isStackKind(kind: unknown): kind is string {
  return typeof kind === 'string' && PACKS.has(kind);
}

/** The pack of `kind`; `WHARF_STACK_ERROR` naming the known kinds otherwise. */
export function getStackPack(kind: string): StackPack {
  const pack = PACKS.get(kind);
  if (!pack) {
    throw new WharfError(
      'WHARF_STACK_ERROR',
      `unknown stack kind ${JSON.stringify(String(kind).slice(0, 40))}`,
      {
        details: { kind, known: stackKinds() },
        status: 400,
      },
    );
  }
  return pack;
}
