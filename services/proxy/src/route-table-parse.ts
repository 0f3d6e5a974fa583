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
 *
 * Before both, the scanner (`route-table-scan.ts`) reads the common form of a valid document
 * without `JSON.parse`; anything it does not read takes the path above.
 */
import { MAX_REF_ID_LENGTH, SCHEMA_VERSION, isValidId, type RouteEntry } from '@wharf/model';
import { MODEL_DECODER } from '@wharf/zk';
import { MAX_HOST_LENGTH, MAX_INSTANCES, MAX_PORT, isUtcTimestamp } from './route-table-checks';
import { scanRouteDocument } from './route-table-scan';

const ENTRY_KEYS = new Set([
  'schema_version',
  'deployment_id',
  'instances',
  'shutdown',
  'restoring',
  'updated',
]);
const INSTANCE_KEY_COUNT = 7;

/** The entry in `data`, or the reason it is not a valid route document. */
export function decodeRouteEntry(data: Buffer | string): RouteEntry | string {
  const text = typeof data === 'string' ? data : data.toString('utf8');
  const scanned = scanRouteDocument(text);
  if (scanned !== undefined) return scanned;
  let value: unknown;
  try {
    value = JSON.parse(text);
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
