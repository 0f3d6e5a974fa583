import { RESTART_BASE_DELAY_MS, RESTART_MAX_DELAY_MS, STABLE_RUN_MS, nextRestart } from './backoff';

describe('nextRestart', () => {
  it('doubles the delay for each quick crash, up to the maximum', () => {
    let state = { failures: 0 };
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const next = nextRestart(state, 100);
      state = next.state;
      delays.push(next.delayMs);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(delays[0]).toBe(RESTART_BASE_DELAY_MS);
    expect(Math.max(...delays)).toBe(RESTART_MAX_DELAY_MS);
  });

  it('starts over after a stable run', () => {
    const next = nextRestart({ failures: 6 }, STABLE_RUN_MS);
    expect(next).toEqual({ state: { failures: 0 }, delayMs: RESTART_BASE_DELAY_MS });
  });
});
