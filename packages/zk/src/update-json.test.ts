import { backoffDelay, UPDATE_BACKOFF_BASE_MS, UPDATE_BACKOFF_MAX_MS } from './update-json';

describe('backoffDelay', () => {
  test('full jitter under an exponential cap', () => {
    expect(backoffDelay(0, 0)).toBe(0);
    expect(backoffDelay(0, 0.999)).toBeLessThan(UPDATE_BACKOFF_BASE_MS);
    expect(backoffDelay(3, 0.5)).toBe(Math.floor(0.5 * UPDATE_BACKOFF_BASE_MS * 8));
    expect(backoffDelay(30, 0.999)).toBeLessThan(UPDATE_BACKOFF_MAX_MS);
  });
});
