/**
 * Attempt failures: a {@link WharfError} whose `details.failure_type` is ECE's `Category:Name`
 * (`ClusterFailure:NoCapacity`, ...). The attempt's `error.failure_type` is read from it. Pure.
 */
import { FAILURE_TYPES, WharfError, isWharfError, type WharfErrorCode } from '@wharf/model';

/** A failure type (`Category:Name`). */
export type FailureType = (typeof FAILURE_TYPES)[keyof typeof FAILURE_TYPES];

/** Details carried by every attempt failure. */
export interface FailureDetails {
  failure_type: FailureType;
  [key: string]: unknown;
}

/** Builds a coded error that ends an attempt with `failureType`. */
export function attemptFailure(
  code: WharfErrorCode,
  failureType: FailureType,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): WharfError {
  return new WharfError(code, message, {
    details: { ...details, failure_type: failureType } satisfies FailureDetails,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Codes that map to a failure type when the error carries none. */
const FAILURE_TYPE_BY_CODE: Partial<Record<WharfErrorCode, FailureType>> = {
  WHARF_NO_CAPACITY: FAILURE_TYPES.noCapacity,
  WHARF_TIMEOUT: FAILURE_TYPES.timeout,
  WHARF_STRATEGY_UNSUPPORTED: FAILURE_TYPES.unsupportedStrategy,
  WHARF_PLAN_INVALID: FAILURE_TYPES.invalidPlan,
  WHARF_VALIDATION: FAILURE_TYPES.invalidPlan,
  WHARF_STACK_ERROR: FAILURE_TYPES.clusterJoinFailed,
};

/** The failure type of any error (`InternalFailure:Unexpected` when nothing better is known). */
export function failureTypeOf(err: unknown): FailureType {
  if (isWharfError(err)) {
    const details = err.details as Partial<FailureDetails> | undefined;
    if (details && typeof details.failure_type === 'string') return details.failure_type;
    return FAILURE_TYPE_BY_CODE[err.code] ?? FAILURE_TYPES.internal;
  }
  return FAILURE_TYPES.internal;
}

/** A short message for an attempt's `error.message` (bounded: the schema allows 2048 characters). */
export function failureMessageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > MAX_ERROR_MESSAGE ? `${text.slice(0, MAX_ERROR_MESSAGE - 1)}…` : text;
}

/** Longest error message stored, below the schema's 2048 limit with room to spare. */
const MAX_ERROR_MESSAGE = 1500;
