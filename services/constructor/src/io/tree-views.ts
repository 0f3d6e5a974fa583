/**
 * Memoised views over tree-cache snapshots: each node's data is parsed once (a new version is a
 * new Buffer), a bad document from another service is logged once and skipped, and the same
 * snapshot object yields the same view.
 */
import { type DocumentKind, type DocumentTypes } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { MODEL_DECODER } from '@wharf/zk';
import {
  EMPTY_OBSERVED,
  deploymentsFromTree,
  observedFromTree,
  type CachedNode,
  type DeploymentView,
  type NodeParser,
  type ObservedState,
} from '../core/observed';

/** Parses cached nodes with a per-buffer memo. */
export class MemoParser {
  private readonly parsed = new WeakMap<Buffer, { kind: DocumentKind; value: unknown }>();

  constructor(private readonly logger: Logger) {}

  /** The parser to hand to the pure view builders. */
  readonly parse: NodeParser = <K extends DocumentKind>(kind: K, path: string, data: Buffer) => {
    const hit = this.parsed.get(data);
    if (hit && hit.kind === kind) return hit.value as DocumentTypes[K] | undefined;
    let value: DocumentTypes[K] | undefined;
    try {
      value = MODEL_DECODER.decode(kind, data);
    } catch (err) {
      this.logger.warn('invalid document skipped', { path, kind, err });
      value = undefined;
    }
    this.parsed.set(data, { kind, value });
    return value;
  };
}

/** A function returning the latest view of a cache, recomputed only when the snapshot changed. */
export function memoView<T>(
  snapshot: () => ReadonlyMap<string, CachedNode> | undefined,
  build: (nodes: ReadonlyMap<string, CachedNode>) => T,
  empty: T,
): () => T {
  let lastSnapshot: ReadonlyMap<string, CachedNode> | undefined;
  let lastView = empty;
  return () => {
    const nodes = snapshot();
    if (!nodes) return empty;
    if (nodes !== lastSnapshot) {
      lastSnapshot = nodes;
      lastView = build(nodes);
    }
    return lastView;
  };
}

/** The allocators view of a `/allocators` cache. */
export function observedView(
  snapshot: () => ReadonlyMap<string, CachedNode> | undefined,
  parser: MemoParser,
): () => ObservedState {
  return memoView(snapshot, (nodes) => observedFromTree(nodes, parser.parse), EMPTY_OBSERVED);
}

/** The deployments view of a `/deployments` cache. */
export function deploymentsView(
  snapshot: () => ReadonlyMap<string, CachedNode> | undefined,
  parser: MemoParser,
): () => ReadonlyMap<string, DeploymentView> {
  return memoView(snapshot, (nodes) => deploymentsFromTree(nodes, parser.parse), new Map());
}
