import { WharfError } from '@wharf/model';
import { errorBody, toWharfError } from './errors';

describe('error mapping', () => {
  it.each([
    [{ type: 'entity.too.large', status: 413, limit: 10 }, 413, 'WHARF_PAYLOAD_TOO_LARGE'],
    [{ type: 'entity.parse.failed', status: 400 }, 400, 'WHARF_BAD_REQUEST'],
    [{ type: 'charset.unsupported', status: 415 }, 415, 'WHARF_BAD_REQUEST'],
    [new Error('boom'), 500, 'WHARF_INTERNAL'],
    [new WharfError('WHARF_ZK_CONNECTION_LOSS', 'zookeeper get failed'), 503, 'WHARF_ZK_CONNECTION_LOSS'],
  ])('maps %j to %i %s', (err, status, code) => {
    const mapped = toWharfError(err);
    expect(mapped.status).toBe(status);
    expect(mapped.code).toBe(code);
  });

  it('keeps validation details, drops other details and hides internal messages', () => {
    const issues = [{ path: 'name', message: 'is required' }];
    expect(errorBody(new WharfError('WHARF_VALIDATION', 'bad', { details: issues }))).toEqual({
      error: { code: 'WHARF_VALIDATION', message: 'bad', details: issues },
    });
    expect(
      errorBody(new WharfError('WHARF_ZK_NO_NODE', 'x', { details: { op: 'get', path: '/p' } })).error
        .details,
    ).toEqual([]);
    expect(errorBody(new WharfError('WHARF_INTERNAL', 'secret internals')).error.message).toBe(
      'internal error',
    );
  });
});
