import { isWharfError, type WebhookConfig } from '@wharf/model';
import { parseEventsQuery, visibleEvents } from './event-service';
import { parseWebhookConfig, webhookView } from './webhook-config';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (isWharfError(err)) return ((err.details ?? []) as { path: string }[]).map((d) => d.path);
    throw err;
  }
  throw new Error('did not throw');
}

describe('parseWebhookConfig', () => {
  it('accepts http(s) targets and stores their secrets', () => {
    const config = parseWebhookConfig(
      {
        targets: [
          { id: 'ops', url: 'https://hooks.example.com/wharf', secret: 'k', events: ['plan-failed'] },
        ],
      },
      undefined,
      NOW,
    );
    expect(config.targets).toEqual([
      { id: 'ops', url: 'https://hooks.example.com/wharf', secret: 'k', events: ['plan-failed'] },
    ]);
  });

  it('names each bad field: a non-http url, an empty secret, a missing secret, an unknown event', () => {
    expect(
      issuesOf(() =>
        parseWebhookConfig(
          {
            targets: [
              { id: 'a', url: 'ftp://x.example/', secret: 'k' },
              { id: 'b', url: 'http://127.0.0.1:1/', secret: '' },
              { id: 'c', url: 'http://127.0.0.1:1/' },
              { id: 'd', url: 'http://u:p@127.0.0.1:1/', secret: 'k', events: ['nope'] },
            ],
          },
          undefined,
          NOW,
        ),
      ),
    ).toEqual([
      'targets[0].url',
      'targets[1].secret',
      'targets[2].secret',
      'targets[3].url',
      'targets[3].events',
    ]);
    expect(issuesOf(() => parseWebhookConfig({ targets: 'x' }, undefined, NOW))).toEqual(['targets']);
  });

  it('keeps the stored secret of a target given without one, and never shows it', () => {
    const stored: WebhookConfig = {
      schema_version: 1,
      targets: [{ id: 'ops', url: 'http://127.0.0.1:9/', secret: 'old' }],
      updated: new Date(NOW).toISOString(),
    };
    const next = parseWebhookConfig({ targets: [{ id: 'ops', url: 'http://127.0.0.1:10/' }] }, stored, NOW);
    expect(next.targets[0]!.secret).toBe('old');
    expect(JSON.stringify(webhookView(next))).not.toContain('old');
    expect(webhookView(next)).toEqual([{ id: 'ops', url: 'http://127.0.0.1:10/', secret_set: true }]);
  });
});

describe('events query and scope', () => {
  it('rejects a malformed since, an unknown type and a bad limit, naming each', () => {
    expect(issuesOf(() => parseEventsQuery({ since: 'yesterday' }))).toEqual(['since']);
    expect(issuesOf(() => parseEventsQuery({ since: '2026-13-45T00:00:00Z' }))).toEqual(['since']);
    expect(issuesOf(() => parseEventsQuery({ type: 'fire' }))).toEqual(['type']);
    expect(issuesOf(() => parseEventsQuery({ limit: '-1' }))).toEqual(['limit']);
    expect(parseEventsQuery({ since: '2026-01-01T00:00:00Z' }).since).toBe(NOW);
  });

  it('shows an organization only its own events, platform keys everything', () => {
    const ev = (seq: number, organization?: string) => ({
      seq,
      event: {
        schema_version: 1 as const,
        id: `evt_${String(seq).padStart(24, '0')}`,
        type: 'plan-failed' as const,
        severity: 'warning' as const,
        time: new Date(NOW + seq * 1000).toISOString(),
        message: 'm',
        ...(organization ? { organization_id: organization } : {}),
      },
    });
    const all = [ev(1, 'org-a'), ev(2, 'org-b'), ev(3)];
    const q = parseEventsQuery({});
    expect(visibleEvents(all, q, 'org-b').map((e) => e.seq)).toEqual([2]);
    expect(visibleEvents(all, q, undefined).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(
      visibleEvents(all, parseEventsQuery({ since: new Date(NOW + 2000).toISOString() }), undefined),
    ).toHaveLength(2);
  });
});
