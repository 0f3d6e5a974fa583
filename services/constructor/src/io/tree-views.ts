/**
 * The node parser of the leader's indexes (`observed-index.ts`, `deployments-index.ts`): each
 * node's data is parsed once (a new version is a new Buffer) and a bad document from another
 * service is logged once and skipped.
 */
import { type DocumentKind, type DocumentTypes } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { MODEL_DECODER } from '@wharf/zk';
import { type NodeParser } from '../core/observed';

/**
 * Writes remembered at most: one per attempt in flight, and 10,000 attempts at once is the
 * largest burst the constructor is measured at; a few MB of attempt documents at most.
 */
export const OWN_WRITES_KEPT = 10_000;

/** A parse result and the kind it was parsed as. */
interface Parsed {
  kind: DocumentKind;
  value: unknown;
}

/**
 * Parses cached nodes with a per-buffer memo. A node whose bytes are exactly what this process
 * last wrote there ({@link MemoParser.wrote}: validated when it was serialized) is only
 * JSON-parsed, not validated again: the attempt document, the largest and most written one,
 * came back through the cache after every save and was checked by ajv each time.
 */
export class MemoParser {
  private readonly parsed = new WeakMap<Buffer, Parsed>();
  /** The last parse per path, by content (see {@link MemoParser.parse}); dropped by {@link forget}. */
  private readonly last = new Map<string, Parsed & { data: Buffer }>();
  /** Bytes this process wrote per path and has not seen back yet (the latest write only). */
  private readonly own = new Map<string, Buffer>();

  constructor(private readonly logger: Logger) {}

  /** Records a write of validated `data` at `path` (replacing an earlier one not seen back). */
  wrote(path: string, data: Buffer): void {
    // A write never seen back (its node deleted first) must not stay forever: past the bound,
    // forget them all (the cost is one validation each).
    if (this.own.size >= OWN_WRITES_KEPT) this.own.clear();
    this.own.set(path, data);
  }

  /** Forgets a removed node's last parse. */
  forget(path: string): void {
    this.last.delete(path);
  }

  /** The parser to hand to the pure view builders. */
  readonly parse: NodeParser = <K extends DocumentKind>(kind: K, path: string, data: Buffer) => {
    const hit = this.parsed.get(data);
    if (hit && hit.kind === kind) return hit.value as DocumentTypes[K] | undefined;
    // Same bytes in a new buffer (a reload after a reconnect or a new term, a rewrite with the
    // same content): comparing a few hundred bytes costs a fraction of parsing and validating them.
    const last = this.last.get(path);
    if (last && last.kind === kind && last.data.equals(data)) {
      this.remember(path, data, last);
      return last.value as DocumentTypes[K] | undefined;
    }
    let value: DocumentTypes[K] | undefined;
    const own = this.own.get(path);
    if (own !== undefined && own.equals(data)) {
      this.own.delete(path);
      value = JSON.parse(data.toString('utf8')) as DocumentTypes[K];
      this.remember(path, data, { kind, value });
      return value;
    }
    try {
      value = MODEL_DECODER.decode(kind, data);
    } catch (err) {
      this.logger.warn('invalid document skipped', { path, kind, err });
      value = undefined;
    }
    this.remember(path, data, { kind, value });
    return value;
  };

  private remember(path: string, data: Buffer, parsed: Parsed): void {
    this.parsed.set(data, parsed);
    this.last.set(path, { ...parsed, data });
  }
}
