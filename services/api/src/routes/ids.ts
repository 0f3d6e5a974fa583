/** URL ids: checked with the model's `assertId` and reported as the parameter they came from. */
import { WharfError, assertId, isWharfError, type IdKind } from '@wharf/model';
import { badRequest } from '../http/errors';

/** The `:param` as a valid id of `kind`; 400 naming `param` otherwise. */
export function idParam(
  params: Record<string, string | string[] | undefined>,
  param: string,
  kind: IdKind,
): string {
  const value = params[param];
  try {
    return assertId(kind, value);
  } catch (err) {
    if (!isWharfError(err, 'WHARF_INVALID_ID')) throw err;
    const invalid = badRequest(
      param,
      `must be a ${kind} id (lowercase letters, digits and inner hyphens, 1-63)`,
    );
    throw new WharfError('WHARF_INVALID_ID', invalid.message, { details: invalid.details, cause: err });
  }
}
