/**
 * White-label branding: `PUT/GET /platform/configuration/branding` and the logo as an image.
 * The GET answers without an API key (the console's sign-in page shows the name, logo and colour
 * before anyone signs in), so it shows only the public fields: name, colour and the logo's URL —
 * never who set it. A PUT is validated whole before anything is written, then written as one
 * conditional write of one znode.
 */
import {
  DEFAULT_BRANDING,
  WharfError,
  isWharfError,
  validateDocument,
  type Branding,
  type ValidationIssue,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type Clock } from '../clock';
import { type ServiceResponse } from '../http/send';
import { parseLogo, type StoredLogo } from './logo';
import { type BrandingStore } from './zk-branding';

/** Dependencies of a {@link BrandingService}. */
export interface BrandingServiceDeps {
  branding: BrandingStore;
  clock: Clock;
  logger: Logger;
  /** Absolute path of the logo route (`/api/v1/platform/configuration/branding/logo`). */
  logoPath: string;
}

/** The logo as the logo route serves it. */
export interface LogoImage {
  mediaType: string;
  body: Buffer;
}

/** Characters of the digest in the logo URL: enough that a changed logo gets a new URL. */
const LOGO_VERSION_LENGTH = 16;

function invalid(issues: ValidationIssue[]): WharfError {
  const first = issues[0]!;
  return new WharfError('WHARF_VALIDATION', `invalid branding: ${first.path}: ${first.message}`, {
    details: issues,
  });
}

/** `#abc` → `#aabbcc`, lower case. */
export function normalizeColor(color: string): string {
  const hex = color.slice(1).toLowerCase();
  return `#${hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex}`;
}

/**
 * Validates a PUT body into the stored document. `logo` omitted keeps the stored logo (the GET
 * shows only its URL, so a GET–edit–PUT round trip must not need the bytes); `null` removes it.
 * Pure.
 */
export function parseBranding(body: unknown, stored: Branding | undefined, now: number): Branding {
  const checked = validateDocument('branding-request', body);
  if (!checked.ok) throw invalid(checked.errors);
  const request = checked.value;
  let logo: StoredLogo | undefined;
  if (typeof request.logo === 'string') {
    const parsed = parseLogo(request.logo);
    if ('problem' in parsed) throw invalid([{ path: 'logo', message: parsed.problem }]);
    logo = parsed.logo;
  } else if (request.logo === undefined) {
    logo = stored?.logo;
  }
  return {
    schema_version: 1,
    name: request.name,
    primary_color: normalizeColor(request.primary_color),
    ...(logo === undefined ? {} : { logo }),
    updated: new Date(now).toISOString(),
  };
}

/** The public view: what anyone may read, signed in or not. Pure. */
export function brandingView(stored: Branding | undefined, logoPath: string): Record<string, unknown> {
  const branding = stored ?? DEFAULT_BRANDING;
  const logo = stored?.logo;
  return {
    name: branding.name,
    primary_color: branding.primary_color,
    logo:
      logo === undefined
        ? null
        : { url: `${logoPath}?v=${logo.sha256.slice(0, LOGO_VERSION_LENGTH)}`, media_type: logo.media_type },
    custom: stored !== undefined,
  };
}

/** Reads and writes the branding. */
export class BrandingService {
  constructor(private readonly deps: BrandingServiceDeps) {}

  async get(): Promise<ServiceResponse> {
    const stored = await this.deps.branding.get();
    return { status: 200, body: brandingView(stored?.value, this.deps.logoPath) };
  }

  /** The stored logo's bytes and media type; undefined when there is none. */
  async logo(): Promise<LogoImage | undefined> {
    const logo = (await this.deps.branding.get())?.value.logo;
    return logo && { mediaType: logo.media_type, body: Buffer.from(logo.base64, 'base64') };
  }

  async set(body: unknown): Promise<ServiceResponse> {
    const stored = await this.deps.branding.get();
    const next = parseBranding(body, stored?.value, this.deps.clock.now());
    try {
      await this.deps.branding.put(next, stored?.version);
    } catch (err) {
      throw conflictOr(err);
    }
    this.deps.logger.info('branding set', {
      name: next.name,
      logo: next.logo?.media_type ?? 'none',
      bytes: next.logo === undefined ? 0 : Buffer.byteLength(next.logo.base64, 'base64'),
    });
    return { status: 200, body: brandingView(next, this.deps.logoPath) };
  }
}

/** A concurrent write of the branding is a 409, anything else passes through. */
function conflictOr(err: unknown): unknown {
  if (!isWharfError(err, 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NODE_EXISTS')) return err;
  return new WharfError('WHARF_CONFLICT', 'the branding changed meanwhile; read it and retry', {
    cause: err,
    details: [{ path: 'branding', message: 'changed by another request' }],
  });
}
