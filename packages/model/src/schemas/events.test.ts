import { validateDocument } from '../validate';
import { eventNodeName, eventSeqOf, newEvent, targetWants } from './events';
import { boundLogText } from './instance-logs';

describe('event documents', () => {
  it('are complete, valid documents with a dedupe id', () => {
    const event = newEvent(
      { type: 'plan-failed', severity: 'warning', deployment_id: 'd1', message: 'plan p1 failed' },
      Date.parse('2026-01-02T03:04:05Z'),
      'ab'.repeat(12),
    );
    expect(event).toEqual({
      schema_version: 1,
      id: `evt_${'ab'.repeat(12)}`,
      type: 'plan-failed',
      severity: 'warning',
      time: '2026-01-02T03:04:05.000Z',
      deployment_id: 'd1',
      message: 'plan p1 failed',
    });
    expect(validateDocument('event', event).ok).toBe(true);
  });

  it('cut a long message instead of failing validation', () => {
    const event = newEvent(
      { type: 'quota-reached', severity: 'warning', message: 'x'.repeat(5000) },
      0,
      '0'.repeat(24),
    );
    expect(event.message.length).toBe(1024);
    expect(validateDocument('event', event).ok).toBe(true);
  });

  it('name sequence znodes both ways, and filter by target', () => {
    expect(eventNodeName(42)).toBe('event-0000000042');
    expect(eventSeqOf('event-0000000042')).toBe(42);
    expect(eventSeqOf('event-42')).toBeUndefined();
    expect(targetWants({}, 'allocator-lost')).toBe(true);
    expect(targetWants({ events: ['plan-failed'] }, 'allocator-lost')).toBe(false);
  });
});

describe('boundLogText', () => {
  it('keeps short text and cuts long text at a line start from the front', () => {
    expect(boundLogText('a\nb\n', 100)).toEqual({ text: 'a\nb\n', truncated: false });
    const cut = boundLogText('line-1\nline-2\nline-3\n', 10);
    expect(cut).toEqual({ text: 'line-3\n', truncated: true });
  });
});
