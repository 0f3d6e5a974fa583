import { judgeLiveness, watchdogTickMs, type LivenessInput } from './liveness';

const base: LivenessInput = {
  now: 10_000,
  lastHeardAt: 10_000,
  sessionTimeoutMs: 3000,
  connected: true,
  probeInFlight: false,
};

describe('judgeLiveness', () => {
  test.each([
    [0, true, false, 'ok'],
    [999, true, false, 'ok'],
    [1000, true, false, 'probe'],
    [1000, true, true, 'ok'],
    [1999, true, true, 'ok'],
    [2000, true, true, 'suspend'],
    [2000, true, false, 'suspend'],
    [2999, false, false, 'ok'],
    [3000, false, false, 'lose'],
    [3000, true, true, 'lose'],
  ] as const)(
    'silence %i ms, connected %s, probe out %s → %s',
    (silence, connected, probeInFlight, verdict) => {
      expect(judgeLiveness({ ...base, lastHeardAt: base.now - silence, connected, probeInFlight })).toBe(
        verdict,
      );
    },
  );

  test('tick is a tenth of the timeout with a floor', () => {
    expect(watchdogTickMs(15_000)).toBe(1500);
    expect(watchdogTickMs(100)).toBe(25);
  });
});
