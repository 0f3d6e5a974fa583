import { evaluateHealth } from './health';

describe('evaluateHealth', () => {
  it('is 200 ok when every check passes', () => {
    const checks = { zk: { status: 'ok' as const }, routes: { status: 'ok' as const } };
    expect(evaluateHealth({ checks })).toEqual({ statusCode: 200, body: { status: 'ok', checks } });
  });

  it('is 200 ok with no checks', () => {
    expect(evaluateHealth({ checks: {} }).statusCode).toBe(200);
  });

  it('is 503 failing, with every check listed, when one fails', () => {
    const checks = {
      zk: { status: 'failing' as const, detail: 'session expired' },
      routes: { status: 'ok' as const },
    };
    expect(evaluateHealth({ checks })).toEqual({ statusCode: 503, body: { status: 'failing', checks } });
  });
});
