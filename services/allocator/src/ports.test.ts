import { allocatePorts, heldPorts, portsFit } from './ports';

const range = { from: 20000, to: 20004 };
const allFree = async () => true;

describe('allocatePorts', () => {
  it('hands out the lowest ports, one per name', async () => {
    await expect(allocatePorts(['client', 'peer'], range, new Set(), allFree)).resolves.toEqual({
      client: 20000,
      peer: 20001,
    });
  });

  it('never hands out a port another instance holds', async () => {
    const held = heldPorts([{ http: 20000 }, { client: 20001, peer: 20003 }]);
    await expect(allocatePorts(['a', 'b'], range, held, allFree)).resolves.toEqual({ a: 20002, b: 20004 });
  });

  it('skips ports the host check reports busy', async () => {
    const busy = new Set([20000, 20002]);
    const ports = await allocatePorts(['a', 'b'], range, new Set(), async (p) => !busy.has(p));
    expect(ports).toEqual({ a: 20001, b: 20003 });
  });

  it('fails with WHARF_NO_CAPACITY when the range is exhausted', async () => {
    const held = new Set([20000, 20001, 20002, 20003]);
    await expect(allocatePorts(['a', 'b'], range, held, allFree)).rejects.toMatchObject({
      code: 'WHARF_NO_CAPACITY',
    });
  });

  it('does not check ports it already knows are held', async () => {
    const checked: number[] = [];
    await allocatePorts(['a'], range, new Set([20000, 20001]), async (p) => {
      checked.push(p);
      return true;
    });
    expect(checked).toEqual([20002]);
  });
});

describe('portsFit', () => {
  it('accepts exactly the wanted names inside the range', () => {
    expect(portsFit({ client: 20000, peer: 20001 }, ['client', 'peer'], range)).toBe(true);
    expect(portsFit({ client: 20000 }, ['client', 'peer'], range)).toBe(false);
    expect(portsFit({ client: 30000, peer: 20001 }, ['client', 'peer'], range)).toBe(false);
  });
});
