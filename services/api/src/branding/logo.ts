/**
 * The `logo` of a branding request: a base64 data URL (`data:image/svg+xml;base64,…` or
 * `data:image/png;base64,…`) decoded, sized and checked against what it claims to be. Pure.
 */
import { createHash } from 'node:crypto';
import { LOGO_MEDIA_TYPES, MAX_LOGO_BYTES, type Branding, type LogoMediaType } from '@wharf/model';
import { svgProblem } from './svg-check';

/** A stored logo. */
export type StoredLogo = NonNullable<Branding['logo']>;

const DATA_URL = /^data:(image\/svg\+xml|image\/png);base64,([A-Za-z0-9+/]*={0,2})$/;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Why the bytes are not a plausible `type` image, or undefined when they are. */
function contentProblem(type: LogoMediaType, bytes: Buffer): string | undefined {
  if (type === 'image/png') {
    // The signature and an IHDR chunk first: enough to know a browser will treat it as a PNG.
    const ok =
      bytes.subarray(0, 8).equals(PNG_SIGNATURE) && bytes.subarray(12, 16).toString('latin1') === 'IHDR';
    return ok ? undefined : 'is not a PNG image (the PNG signature and IHDR chunk are missing)';
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'SVG must be UTF-8 text';
  }
  return svgProblem(text);
}

/** The stored form of a data URL logo, or the reason (for the `logo` field) it is refused. */
export function parseLogo(value: string): { logo: StoredLogo } | { problem: string } {
  const m = DATA_URL.exec(value);
  if (m === null)
    return {
      problem: `must be a base64 data URL of ${LOGO_MEDIA_TYPES.join(' or ')} (data:<type>;base64,<data>)`,
    };
  const type = m[1] as LogoMediaType;
  const base64 = m[2]!;
  if (base64.length % 4 !== 0) return { problem: 'has malformed base64 data' };
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) return { problem: 'must not be empty' };
  if (bytes.length > MAX_LOGO_BYTES)
    return { problem: `must be at most ${MAX_LOGO_BYTES} bytes (64 KiB) decoded; it is ${bytes.length}` };
  const problem = contentProblem(type, bytes);
  if (problem !== undefined) return { problem };
  return { logo: { media_type: type, base64, sha256: createHash('sha256').update(bytes).digest('hex') } };
}
