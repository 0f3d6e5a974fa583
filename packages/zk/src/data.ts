import { WharfError } from '@wharf/model';
import { type ZkData } from './types';

/** Converts write data to a Buffer (strings as UTF-8; undefined as empty). */
export function toBuffer(data: ZkData | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** Throws WHARF_PAYLOAD_TOO_LARGE when `bytes` exceeds `limit`. */
export function assertDataSize(path: string, bytes: number, limit: number): void {
  if (bytes > limit) {
    throw new WharfError('WHARF_PAYLOAD_TOO_LARGE', 'znode data exceeds the size limit', {
      details: { path, bytes, limit },
    });
  }
}

/** Serialises a document for storage: compact JSON, UTF-8. */
export function encodeJson(value: unknown): Buffer {
  const text = JSON.stringify(value);
  if (text === undefined) {
    throw new WharfError('WHARF_VALIDATION', 'value is not JSON-serialisable', {
      details: { type: typeof value },
    });
  }
  return Buffer.from(text, 'utf8');
}

/** Parses a stored document; throws WHARF_VALIDATION (with the path) on malformed JSON. */
export function decodeJson(path: string, data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8')) as unknown;
  } catch (err) {
    throw new WharfError('WHARF_VALIDATION', 'znode data is not valid JSON', {
      cause: err,
      details: { path },
    });
  }
}
