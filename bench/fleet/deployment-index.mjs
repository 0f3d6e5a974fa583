// One deployment's specs and status ids at the fleet bench's size (1,000 deployments, 1,668
// instances on 100 allocators): the constructor's `ObservedIndex` lookups (by deployment since
// the sixth pass) against the full scan they replaced, interleaved in one process.
// Usage: node bench/fleet/deployment-index.mjs [--deployments 1000] [--rounds 5]
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const { paths } = require(join(root, 'packages/model/dist/index.js'));
const { ObservedIndex } = require(join(root, 'services/constructor/dist/io/observed-index.js'));

const { values } = parseArgs({
  options: { deployments: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '5' } },
});
const DEPLOYMENTS = Number(values.deployments);
const ROUNDS = Number(values.rounds);
const CALLS = 20_000;

const index = new ObservedIndex(
  (_kind, _path, data) => JSON.parse(data.toString()),
  () => 0,
);
for (let d = 0; d < DEPLOYMENTS; d++)
  for (let k = 0; k < (d % 3 === 0 ? 3 : 1); k++) {
    const id = `dep${d}-main-${k}`;
    const allocator = `alloc${(d + k) % 100}`;
    const spec = { instance_id: id, allocator_id: allocator, zone: 'z', memory_mb: 128 };
    index.put(paths.instanceSpec(allocator, id), Buffer.from(JSON.stringify(spec)));
    index.put(paths.instanceStatus(allocator, id), Buffer.from(JSON.stringify({ instance_id: id })));
  }

/** What `specsOfDeployment` and `statusIdsOfDeployment` did before the sixth pass. */
function scan(d) {
  const prefix = `${d}-`;
  const specs = [...index.view.specs.values()].filter((s) => s.instance_id.startsWith(prefix));
  const statuses = [...index.view.statuses.keys()].filter((id) => id.startsWith(prefix));
  return specs.length + statuses.length;
}
const ways = {
  scan,
  indexed: (d) => index.specsOfDeployment(d).length + index.statusIdsOfDeployment(d).length,
};
const spent = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
for (let r = 0; r < ROUNDS; r++)
  for (const [name, lookup] of Object.entries(ways)) {
    const start = process.cpuUsage();
    let found = 0;
    for (let c = 0; c < CALLS; c++) found += lookup(`dep${c % DEPLOYMENTS}`);
    const used = process.cpuUsage(start);
    if (found === 0) throw new Error(`${name} found nothing`);
    spent[name].push((used.user + used.system) / CALLS);
  }
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `${index.view.specs.size} specs, ${index.view.statuses.size} statuses, ${DEPLOYMENTS} deployments`,
);
for (const [name, xs] of Object.entries(spent))
  console.log(
    `${name}: ${median(xs).toFixed(2)} µs CPU per lookup pair (median of ${ROUNDS} rounds: ${xs.map((x) => x.toFixed(2)).join(', ')})`,
  );
console.log(
  `load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
