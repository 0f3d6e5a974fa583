/**
 * Makes log metadata safe and serialisable: secret-looking keys are replaced at any depth, errors
 * become plain objects with their stack and cause, cycles and runaway depth are cut off.
 */

/** The value that replaces a secret in log output. */
export const REDACTED = '[redacted]';

/**
 * Key fragments that mark a secret, compared against the key lower-cased with `-` and `_`
 * removed. Substring matching on purpose: `accessToken`, `client_secret`, `x-api-key` and
 * `db_password` must be caught too; over-redacting a harmless key costs far less than a leak.
 */
const SECRET_KEY_FRAGMENTS: readonly string[] = [
  'apikey',
  'authorization',
  'password',
  'passwd',
  'token',
  'secret',
  'cookie',
  'privatekey',
  'credential',
];

/** Deeper metadata is almost always an accidental dump (a request, a socket); stop walking there. */
const MAX_DEPTH = 8;
const TRUNCATED = '[truncated]';
const CIRCULAR = '[circular]';

/** Whether a metadata key names a secret whose value must never reach a log. */
export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[-_]/g, '');
  return SECRET_KEY_FRAGMENTS.some((fragment) => normalized.includes(fragment));
}

/** A copy of `fields` with secrets redacted and errors serialised; the input is not modified. */
export function sanitize(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return sanitizeObject(fields, 0, new Set());
}

function sanitizeValue(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value)) return CIRCULAR;
  if (depth >= MAX_DEPTH) return TRUNCATED;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item: unknown) => sanitizeValue(item, depth + 1, ancestors));
    if (value instanceof Error) return serializeError(value, depth, ancestors);
    // Dates, Buffers and the like already know how to appear in JSON.
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
    return sanitizeObject(value as Record<string, unknown>, depth, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function sanitizeObject(
  source: Readonly<Record<string, unknown>>,
  depth: number,
  ancestors: Set<object>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    out[key] = isSecretKey(key) ? REDACTED : sanitizeValue(value, depth + 1, ancestors);
  }
  return out;
}

// JSON.stringify(new Error('x')) is '{}': name, message and stack are not enumerable.
function serializeError(error: Error, depth: number, ancestors: Set<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: error.name,
    message: error.message,
    stack: error.stack,
    // Own enumerable fields such as WharfError's code, status and details.
    ...sanitizeObject(error as unknown as Record<string, unknown>, depth, ancestors),
  };
  if (error.cause !== undefined) out.cause = sanitizeValue(error.cause, depth + 1, ancestors);
  if (error instanceof AggregateError) out.errors = sanitizeValue(error.errors, depth + 1, ancestors);
  return out;
}
