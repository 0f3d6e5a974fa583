/**
 * The node parser of the leader's indexes (`observed-index.ts`, `deployments-index.ts`): each
 * node's data is parsed once (a new version is a new Buffer) and a bad document from another
 * service is logged once and skipped.
 */
import { type DocumentKind, type DocumentTypes } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { MODEL_DECODER } from '@wharf/zk';
import { type NodeParser } from '../core/observed';

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
