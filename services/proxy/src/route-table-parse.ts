/**
 * Decoding a `/routes/<id>` document, fast. The model's ajv validator (`allErrors`, formats, a
 * dotted error path per issue) cost ~3 µs of the ~5 µs per document, which made a full table build
 * of 10,000 routes ~46 ms, in every proxy, at every first load and resync. A route document has a
 * small fixed shape, so it is checked here by hand first; only a document this check refuses goes
 * through the model's decoder, which then gives the verdict and the error message.
 *
 * The hand check must never accept what the schema refuses (`RouteEntrySchema` in
 * `@wharf/model`): it is stricter where exactness would cost (timestamps: UTC `Z` only), and a
 * property test holds it to the schema's verdict (`route-table-parse.test.ts`).
 */
import { MAX_REF_ID_LENGTH, SCHEMA_VERSION, isValidId, type RouteEntry } from '@wharf/model';
import { MODEL_DECODER } from '@wharf/zk';

/** `host` and bounded strings of the schema (`Str(255)`). */
const MAX_HOST_LENGTH = 255;
/** `updated` (`Timestamp()`: date-time, maxLength 64). */
const MAX_TIMESTAMP_LENGTH = 64;
/** `instances` (`maxItems`). */
const MAX_INSTANCES = 256;
const MAX_PORT = 65535;

const ENTRY_KEYS = new Set([
  'schema_version',
  'deployment_id',
  'instances',
  'shutdown',
  'restoring',
  'updated',
]);
const INSTANCE_KEY_COUNT = 7;
/** RFC 3339 in UTC, the form every Wharf writer produces (`toISOString()`). */
const UTC_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?Z$/;
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The entry in `data`, or the reason it is not a valid route document. */
export function decodeRouteEntry(data: Buffer | string): RouteEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    value = undefined;
  }
  if (value !== undefined && isRouteEntry(value)) return value;
  try {
    return MODEL_DECODER.decode('route', data); // the verdict and message of record
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** True only for a value the route schema accepts (may refuse some it accepts). */
export function isRouteEntry(value: unknown): value is RouteEntry {
  if (!isPlainObject(value)) return false;
  let required = 0;
  for (const key in value) {
    if (!ENTRY_KEYS.has(key) || !Object.hasOwn(value, key)) return false;
    if (key !== 'shutdown' && key !== 'restoring') required += 1;
  }
  if (required !== 4) return false;
  const { schema_version, deployment_id, instances, shutdown, restoring, updated } = value;
  if (schema_version !== SCHEMA_VERSION || !isValidId(deployment_id)) return false;
  if (shutdown !== undefined && typeof shutdown !== 'boolean') return false;
  if (restoring !== undefined && typeof restoring !== 'boolean') return false;
  if (!isUtcTimestamp(updated)) return false;
  if (!Array.isArray(instances) || instances.length > MAX_INSTANCES) return false;
  for (const instance of instances as unknown[]) if (!isRouteInstance(instance)) return false;
  return true;
}

function isRouteInstance(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  let count = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return false;
    count += 1;
  }
  if (count !== INSTANCE_KEY_COUNT) return false;
  const { instance_id, allocator_id, ref_id, zone, host, port, healthy } = value;
  return (
    isValidId(instance_id) &&
    isValidId(allocator_id) &&
    isValidId(ref_id) &&
    ref_id.length <= MAX_REF_ID_LENGTH &&
    isValidId(zone) &&
    typeof host === 'string' &&
    host.length <= MAX_HOST_LENGTH &&
    typeof port === 'number' &&
    Number.isInteger(port) &&
    port >= 1 &&
    port <= MAX_PORT &&
    typeof healthy === 'boolean'
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUtcTimestamp(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > MAX_TIMESTAMP_LENGTH) return false;
  const match = UTC_TIMESTAMP.exec(value);
  if (match === null) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month] ?? 0));
}
