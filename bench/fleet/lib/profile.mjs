// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per file, top first.
import { readFileSync } from 'node:fs';

/** { totalMs, functions: [{ name, where, selfMs, share }], files: [{ file, selfMs, share }] }. */
export function summarize(file, top = 15) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const fns = new Map();
  const files = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id).callFrame;
    total += us;
    if (cf.functionName === '(idle)') continue;
    const shortUrl = cf.url
      .replace(/^file:\/\//, '')
      .replace(/^.*\/(services|packages|node_modules)\//, '$1/');
    const key = `${cf.functionName || '(anonymous)'} ${shortUrl}:${cf.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const fileKey = shortUrl || cf.functionName;
    files.set(fileKey, (files.get(fileKey) ?? 0) + us);
  }
  const busy = [...fns.values()].reduce((a, b) => a + b, 0);
  const rank = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => ({ key: k, selfMs: us / 1000, share: us / busy }));
  return { totalMs: total / 1000, busyMs: busy / 1000, functions: rank(fns), files: rank(files) };
}
