import { type EnsembleConfig } from './ensemble';
import { decideAddition, nextMemberId } from './ensemble-addition';

const member = (id: number) => ({
  id,
  host: `127.0.0.${id}`,
  quorumPort: 2888,
  electionPort: 3888,
  clientPort: 2181,
  role: 'participant' as const,
});
const one: EnsembleConfig = { servers: [member(1)], version: '100000000' };
const two: EnsembleConfig = { servers: [member(1), member(2)], version: '100000004' };

/** The code, message and first detail of what `fn` throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    const e = err as { code: string; message: string; details?: { message: string }[] };
    return `${e.code} ${e.message} | ${e.details?.[0]?.message ?? ''}`;
  }
  return 'no error';
}

describe('decideAddition', () => {
  it('adds to a quorum of one through its serving member, on the condition of the version read', () => {
    const plan = decideAddition({
      config: one,
      candidate: member(2),
      serving: new Set([1]),
      candidateServing: true,
    });
    expect(plan.voters.map((s) => s.id)).toEqual([1, 2]);
    expect(plan.connectString).toBe('127.0.0.1:2181');
    expect(plan.fromConfig).toBe('100000000');
  });

  it('adds a third member while both voters serve; a pre-flight check leaves the candidate unchecked', () => {
    const plan = decideAddition({ config: two, candidate: member(3), serving: new Set([1, 2]) });
    expect(plan.connectString).toBe('127.0.0.1:2181,127.0.0.2:2181');
    expect(plan.fromConfig).toBe('100000004');
  });

  it('refuses a member that is a voter already, by id or by address', () => {
    expect(
      refusal(() => decideAddition({ config: two, candidate: member(2), serving: new Set([1, 2]) })),
    ).toBe(
      'WHARF_CONFLICT zookeeper member 2 is in the ensemble already | already-voter: member 2 at 127.0.0.2:2181 (participant)',
    );
    const impostor = { ...member(2), id: 9 };
    expect(
      refusal(() => decideAddition({ config: two, candidate: impostor, serving: new Set([1, 2]) })),
    ).toMatch(/^WHARF_CONFLICT member 2 of the ensemble runs at 127\.0\.0\.2 already \| address-taken: /);
  });

  it('refuses a candidate whose server does not answer', () => {
    const input = { config: one, candidate: member(2), serving: new Set([1]), candidateServing: false };
    expect(refusal(() => decideAddition(input))).toMatch(
      /^WHARF_UNAVAILABLE zookeeper member 2 does not answer at 127\.0\.0\.2:2181 \| not-reachable: /,
    );
  });

  it('refuses when the old voters have no serving majority (one of two down, or none of one)', () => {
    const input = { config: two, candidate: member(3), serving: new Set([1]), candidateServing: true };
    expect(refusal(() => decideAddition(input))).toBe(
      'WHARF_CONFLICT adding member 3 needs a serving majority of the ensemble | quorum-loss: only 1 of the 2 ' +
        'voters serve (1); a majority of the old and of the new voters must commit the addition',
    );
    expect(refusal(() => decideAddition({ config: one, candidate: member(2), serving: new Set() }))).toMatch(
      /quorum-loss: only 0 of the 1 voters serve \(none\)/,
    );
  });

  it('does not count observers as voters', () => {
    const withObserver: EnsembleConfig = {
      servers: [member(1), { ...member(2), role: 'observer' }],
      version: '1',
    };
    const plan = decideAddition({ config: withObserver, candidate: member(3), serving: new Set([1]) });
    expect(plan.voters.map((s) => s.id)).toEqual([1, 3]);
  });
});

describe('nextMemberId', () => {
  it("takes the host's number when free, else one past the highest", () => {
    expect(nextMemberId(one, 2)).toBe(2);
    expect(nextMemberId(two, 2)).toBe(3);
    expect(nextMemberId(two)).toBe(3);
    expect(refusal(() => nextMemberId({ servers: [member(255)], version: null }))).toMatch(
      /^WHARF_CONFLICT no zookeeper member id left/,
    );
  });
});
