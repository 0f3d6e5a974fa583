import { type EnsembleConfig } from './ensemble';
import { decideRemoval } from './ensemble-removal';

const member = (id: number) => ({
  id,
  host: `127.0.0.${id}`,
  quorumPort: 2888,
  electionPort: 3888,
  clientPort: 2181,
  role: 'participant' as const,
});
const three: EnsembleConfig = { servers: [member(1), member(2), member(3)], version: '100000004' };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return `${(err as { code: string }).code} ${(err as Error).message}`;
  }
  return 'no error';
}

describe('decideRemoval', () => {
  it('removes through the serving remaining members, on the condition of the current version', () => {
    const plan = decideRemoval({ config: three, memberId: 3, serving: new Set([1, 2]) });
    expect(plan.remaining.map((s) => s.id)).toEqual([1, 2]);
    expect(plan.connectString).toBe('127.0.0.1:2181,127.0.0.2:2181');
    expect(plan.fromConfig).toBe('100000004');
  });

  it('removes a dead member while the others are a majority', () => {
    expect(decideRemoval({ config: three, memberId: 2, serving: new Set([1, 3]) }).member.id).toBe(2);
  });

  it('refuses what would leave the remaining members without a serving majority', () => {
    expect(codeOf(() => decideRemoval({ config: three, memberId: 2, serving: new Set([1, 2]) }))).toBe(
      'WHARF_CONFLICT removing member 2 would lose the quorum',
    );
  });

  it('refuses the last member and an unknown one', () => {
    const one: EnsembleConfig = { servers: [member(1)], version: '1' };
    expect(codeOf(() => decideRemoval({ config: one, memberId: 1, serving: new Set([1]) }))).toBe(
      'WHARF_CONFLICT member 1 is the last voter of the ensemble',
    );
    expect(codeOf(() => decideRemoval({ config: three, memberId: 7, serving: new Set([1, 2, 3]) }))).toBe(
      'WHARF_NOT_FOUND zookeeper member 7 is not in the ensemble',
    );
  });
});
