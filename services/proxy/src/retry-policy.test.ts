import { MAX_ATTEMPTS, failureKind, marksDown, mayRetry, type FailedAttempt } from './retry-policy';

const failed = (overrides: Partial<FailedAttempt>): FailedAttempt => ({
  code: 'ECONNREFUSED',
  method: 'GET',
  attempts: 1,
  responded: false,
  timedOut: false,
  bodyReplayable: true,
  ...overrides,
});

describe('retry policy', () => {
  it('classifies connect failures, resets and the rest', () => {
    for (const code of ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'WHARF_CONNECT_TIMEOUT'])
      expect(failureKind(code)).toBe('not_connected');
    for (const code of ['ECONNRESET', 'EPIPE']) expect(failureKind(code)).toBe('reset');
    expect(failureKind('EPROTO')).toBe('other');
  });

  it.each(['GET', 'POST', 'PATCH', 'PUT'])('retries a %s that never reached the instance', (method) => {
    expect(mayRetry(failed({ method }))).toBe(true);
    expect(mayRetry(failed({ method, code: 'WHARF_CONNECT_TIMEOUT' }))).toBe(true);
  });

  it('retries a reset only for idempotent methods', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
      expect(mayRetry(failed({ method, code: 'ECONNRESET' }))).toBe(true);
    for (const method of ['POST', 'PATCH'])
      expect(mayRetry(failed({ method, code: 'ECONNRESET' }))).toBe(false);
  });

  it(`stops after ${MAX_ATTEMPTS} attempts, after a response began, on timeouts and unreplayable bodies`, () => {
    expect(mayRetry(failed({ attempts: MAX_ATTEMPTS - 1 }))).toBe(true);
    expect(mayRetry(failed({ attempts: MAX_ATTEMPTS }))).toBe(false);
    expect(mayRetry(failed({ responded: true, code: 'ECONNRESET' }))).toBe(false);
    expect(mayRetry(failed({ timedOut: true, code: 'ECONNRESET' }))).toBe(false);
    expect(mayRetry(failed({ bodyReplayable: false }))).toBe(false);
    expect(mayRetry(failed({ code: 'EPROTO' }))).toBe(false);
  });

  it('marks the instance down on a connect failure or a reset before a response, whatever the method', () => {
    expect(marksDown(failed({ method: 'POST', code: 'ECONNRESET' }))).toBe(true);
    expect(marksDown(failed({ bodyReplayable: false, attempts: MAX_ATTEMPTS }))).toBe(true);
    expect(marksDown(failed({ responded: true, code: 'ECONNRESET' }))).toBe(false);
    expect(marksDown(failed({ code: 'EPROTO' }))).toBe(false);
  });
});
