import { WharfError } from '@wharf/model';

/** One `-----BEGIN <type>----- … -----END <type>-----` block of a PEM text. */
export interface PemBlock {
  /** The label, e.g. `CERTIFICATE`, `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`. */
  readonly type: string;
  /** The whole block, normalized to `\n` line ends and a trailing newline. */
  readonly pem: string;
}

/** PEM labels Wharf reads and writes. */
export const PEM_TYPES = Object.freeze({
  certificate: 'CERTIFICATE',
  csr: 'CERTIFICATE REQUEST',
  privateKey: 'PRIVATE KEY',
  encryptedPrivateKey: 'ENCRYPTED PRIVATE KEY',
  publicKey: 'PUBLIC KEY',
});

/**
 * Largest PEM text we parse. A certificate bundle of a few CAs is KBs; the bound keeps a
 * malicious upload from costing megabytes of regex and base64 work.
 */
export const MAX_PEM_CHARS = 256 * 1024;

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)\r?\n?-----END \1-----/g;
// Base64 lines, plus the `Name: value` headers of legacy encrypted PEM (RFC 1421).
const BASE64_BODY = /^[A-Za-z0-9+/=\s:,-]*$/;

/** Text from a string or Buffer (PEM is ASCII). */
export function pemText(input: string | Buffer): string {
  return typeof input === 'string' ? input : input.toString('utf8');
}

/**
 * Splits a PEM text (a bundle may hold several blocks) into its blocks, in order. Text between
 * blocks (OpenSSL's "subject=…" comments) is ignored. Throws WHARF_PKI_INVALID on no blocks,
 * oversize input or a non-base64 body; `field` names the input in the error.
 */
export function splitPem(input: string | Buffer, field = 'pem'): PemBlock[] {
  const text = pemText(input);
  if (text.length > MAX_PEM_CHARS) {
    throw invalidPem(field, `longer than ${MAX_PEM_CHARS} characters`);
  }
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const type = match[1] ?? '';
    const body = (match[2] ?? '').replace(/\r/g, '');
    if (!BASE64_BODY.test(body)) throw invalidPem(field, `${type} block is not base64`);
    blocks.push({ type, pem: `-----BEGIN ${type}-----\n${body.trim()}\n-----END ${type}-----\n` });
  }
  if (blocks.length === 0) throw invalidPem(field, 'no PEM block found');
  return blocks;
}

/** The single block of `type` in `input`; WHARF_PKI_INVALID when there is none or several. */
export function singlePem(input: string | Buffer, type: string, field = 'pem'): string {
  const blocks = splitPem(input, field).filter((b) => b.type === type);
  if (blocks.length !== 1) {
    throw invalidPem(field, `expected exactly one ${type} block, found ${blocks.length}`);
  }
  return blocks[0]!.pem;
}

/** Every block of `type` in `input` (at least one), e.g. the certificates of a chain or CA bundle. */
export function pemBlocksOf(input: string | Buffer, type: string, field = 'pem'): string[] {
  const blocks = splitPem(input, field)
    .filter((b) => b.type === type)
    .map((b) => b.pem);
  if (blocks.length === 0) throw invalidPem(field, `no ${type} block found`);
  return blocks;
}

/** The error for unreadable PEM input; never quotes the input (it may be a key). */
export function invalidPem(field: string, reason: string, cause?: unknown): WharfError {
  return new WharfError('WHARF_PKI_INVALID', `invalid ${field}: ${reason}`, {
    details: { field, reason },
    cause,
  });
}
