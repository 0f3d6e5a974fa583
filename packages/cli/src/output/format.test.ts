import { WharfError } from '@wharf/model';
import { ApiError } from '../api/api-error';
import { formatDuration, formatError, formatLogLine, formatTable } from './format';

describe('formatError', () => {
  it('prints an API error as `error CODE: message` and its detail paths', () => {
    const err = new ApiError('WHARF_VALIDATION', 'the request is invalid', 400, [
      { path: 'resources.etcd[0].plan.cluster_topology[0].size.value', message: 'must be >= 1' },
      { path: 'name', message: 'must be a string' },
    ]);
    expect(formatError(err)).toEqual([
      'error WHARF_VALIDATION: the request is invalid',
      '  resources.etcd[0].plan.cluster_topology[0].size.value: must be >= 1',
      '  name: must be a string',
    ]);
  });

  it('prints log tails attached to details, and does not repeat a detail the message holds', () => {
    const err = new WharfError('WHARF_TIMEOUT', 'not healthy after 60 s: api-1', {
      details: [{ path: 'api-1', message: 'GET /health: ECONNREFUSED', log: ['line 1', 'line 2'] }],
    });
    expect(formatError(err)).toEqual([
      'error WHARF_TIMEOUT: not healthy after 60 s: api-1',
      '  api-1: GET /health: ECONNREFUSED',
      '    | line 1',
      '    | line 2',
    ]);
    const option = new WharfError('WHARF_VALIDATION', '--x: bad', {
      details: [{ path: '--x', message: 'bad' }],
    });
    expect(formatError(option)).toEqual(['error WHARF_VALIDATION: --x: bad']);
  });

  it('prints anything else as a plain error', () => {
    expect(formatError(new Error('boom'))).toEqual(['error: boom']);
  });
});

describe('formatTable', () => {
  it('aligns columns and trims trailing space', () => {
    expect(
      formatTable(
        ['ID', 'STATE'],
        [
          ['api-1', 'running'],
          ['constructor-10', 'DOWN'],
        ],
      ),
    ).toEqual(['ID              STATE', 'api-1           running', 'constructor-10  DOWN']);
  });
});

describe('formatDuration', () => {
  it('uses ms, seconds, then minutes', () => {
    expect([formatDuration(12), formatDuration(1500), formatDuration(125_000)]).toEqual([
      '12ms',
      '1.5s',
      '2m05s',
    ]);
  });
});

describe('formatLogLine', () => {
  it('shows the level, the message and metadata as key=value', () => {
    expect(
      formatLogLine('warn', 'service exited; restarting', { id: 'api-1', code: 1, err: new Error('x y') }),
    ).toBe('warn  service exited; restarting id=api-1 code=1 err="x y"');
  });
});
