/**
 * How a {@link DocumentStore} turns znode bytes into typed documents and back, and how it reports
 * another service's bad data: once per znode state, not on every read of the same bytes.
 */
import { parseDocument, serializeDocument, type DocumentKind, type DocumentTypes } from '@wharf/model';
import { type ZkLogger } from './logger';

/**
 * Validating codec for stored documents. `decode` throws `WHARF_VALIDATION` on bad JSON or a
 * document that fails its schema; `encode` validates before serialising (validate on write).
 */
export interface DocumentDecoder {
  decode<K extends DocumentKind>(kind: K, data: Buffer | string): DocumentTypes[K];
  encode<K extends DocumentKind>(kind: K, value: DocumentTypes[K]): Buffer;
}

/** The model's JSON Schemas (ajv): the decoder every service uses. */
export const MODEL_DECODER: DocumentDecoder = Object.freeze({
  decode: <K extends DocumentKind>(kind: K, data: Buffer | string) => parseDocument(kind, data),
  encode: <K extends DocumentKind>(kind: K, value: DocumentTypes[K]) => serializeDocument(kind, value),
});

/**
 * Bad znodes remembered so each is logged once: a watch-driven cache or a listing re-reads the
 * same bad bytes many times. Bounded: past this many paths the oldest is forgotten (and would be
 * logged again), which only costs a repeated warning.
 */
export const MAX_REMEMBERED_BAD_DOCUMENTS = 1_000;

/** The log message of a skipped document (constant, so alerts and tests can match it). */
export const BAD_DOCUMENT_MESSAGE = 'stored document invalid, skipped';

/** Logs a bad document once per (path, state); a good read of the path clears it. */
export class BadDocumentLog {
  private readonly seen = new Map<string, string>();

  constructor(private readonly logger: ZkLogger) {}

  /** Logs unless this path was already reported in the same `state` (a version or the bytes). */
  report(path: string, kind: DocumentKind, state: string, details: unknown): void {
    if (this.seen.get(path) === state) return;
    this.seen.delete(path);
    this.seen.set(path, state);
    if (this.seen.size > MAX_REMEMBERED_BAD_DOCUMENTS) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.logger.warn(BAD_DOCUMENT_MESSAGE, { path, kind, details });
  }

  /** The path reads well again: a later corruption is news. */
  clear(path: string): void {
    this.seen.delete(path);
  }
}
