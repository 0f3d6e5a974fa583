import { waitFor } from './wait-for';

describe('waitFor', () => {
  test('returns the first truthy value', async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : 0), { intervalMs: 1 })).resolves.toBe(3);
  });

  test('treats a throwing predicate as not yet and reports the message', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('nope');
        },
        { timeoutMs: 30, intervalMs: 5, message: 'leader elected' },
      ),
    ).rejects.toThrow('waitFor timed out after 30 ms: leader elected');
  });
});
