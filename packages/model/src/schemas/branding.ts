/**
 * White-label branding (`PUT /platform/configuration/branding`): the name, logo and primary
 * colour the console and the CLI show. The request carries the logo as a base64 data URL; the
 * stored document keeps the decoded media type, the base64 bytes and their digest, so the api
 * can serve the logo as an image of its own (never inlined into a page).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Name, SchemaVersion, Timestamp } from './common';

/** Largest logo, decoded: 64 KiB is plenty for a header logo and keeps the znode small. */
export const MAX_LOGO_BYTES = 64 * 1024;
/** The logo formats accepted: SVG (checked for active content) and PNG. */
export const LOGO_MEDIA_TYPES = ['image/svg+xml', 'image/png'] as const;
/** A logo media type. */
export type LogoMediaType = (typeof LOGO_MEDIA_TYPES)[number];
/** Longest brand name: a header line and a window title, not a paragraph. */
export const MAX_BRAND_NAME_LENGTH = 64;
/** `#rgb` or `#rrggbb`, either case, as a request may spell it. */
export const HEX_COLOR_PATTERN = '^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$';
/** Base64 characters of {@link MAX_LOGO_BYTES} bytes. */
export const MAX_LOGO_BASE64_LENGTH = 4 * Math.ceil(MAX_LOGO_BYTES / 3);
/**
 * Longest `logo` string a request may carry: twice an exact maximum data URL, so a hostile body
 * stays bounded while a slightly-too-large logo still reaches the check that says how large.
 */
export const MAX_LOGO_REQUEST_LENGTH = 2 * ('data:image/svg+xml;base64,'.length + MAX_LOGO_BASE64_LENGTH);

/** What the platform shows when no branding is stored. */
export const DEFAULT_BRANDING = Object.freeze({ name: 'Wharf', primary_color: '#1f5f8b' });

/** The body of `PUT /platform/configuration/branding`. */
export const BrandingRequestSchema = Type.Object(
  {
    name: Name(MAX_BRAND_NAME_LENGTH),
    primary_color: Type.String({ pattern: HEX_COLOR_PATTERN, description: '`#rgb` or `#rrggbb`' }),
    logo: Type.Optional(
      Type.Union([
        Type.Null(),
        Type.String({
          maxLength: MAX_LOGO_REQUEST_LENGTH,
          description:
            '`data:image/svg+xml;base64,…` or `data:image/png;base64,…`, at most 64 KiB decoded; SVG without script, event attributes, foreignObject or external references. Omitted: the stored logo stays; null: removed',
        }),
      ]),
    ),
  },
  { additionalProperties: false },
);

/** A branding request. */
export type BrandingRequest = Static<typeof BrandingRequestSchema>;

/** `/platform/branding`: the stored branding. */
export const BrandingSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    name: Name(MAX_BRAND_NAME_LENGTH),
    /** Normalised to lower-case `#rrggbb`. */
    primary_color: Type.String({ pattern: '^#[0-9a-f]{6}$' }),
    logo: Type.Optional(
      Type.Object(
        {
          media_type: Type.Union(LOGO_MEDIA_TYPES.map((t) => Type.Literal(t))),
          base64: Type.String({ maxLength: MAX_LOGO_BASE64_LENGTH, pattern: '^[A-Za-z0-9+/]*={0,2}$' }),
          /** Hex SHA-256 of the bytes: the logo URL's cache buster. */
          sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
        },
        { additionalProperties: false },
      ),
    ),
    updated: Timestamp(),
  },
  { additionalProperties: false },
);

/** The stored branding document. */
export type Branding = Static<typeof BrandingSchema>;
