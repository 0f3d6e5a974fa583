/**
 * Monitoring documents: the scrape token record (`/platform/security/scrape-token`). The token
 * is a 256-bit random secret, so a plain sha256 is enough to store it (no slow hash: there is
 * nothing to brute-force), and every service can check a scrape cheaply.
 */
import { Type, type Static } from '@sinclair/typebox';
import { SchemaVersion, Timestamp } from './common';

/** `/platform/security/scrape-token`: the hash of the one Prometheus scrape token. */
export const ScrapeTokenRecordSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    /** sha256 of the whole token, lowercase hex. */
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    created: Timestamp(),
  },
  { additionalProperties: false },
);

/** The stored scrape token hash. */
export type ScrapeTokenRecord = Static<typeof ScrapeTokenRecordSchema>;
