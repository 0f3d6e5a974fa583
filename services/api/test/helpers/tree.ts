/**
 * Dumps a ZooKeeper subtree (paths, data bytes, change zxids) to compare "before" and "after", and
 * seeds nodes the way other services would have written them.
 */
import { type ZkSession } from '@wharf/zk';

/** One node: its data (base64) and the zxids that move on any data or children write. */
export interface DumpedNode {
  data: string;
  mzxid: string;
  pzxid: string;
}

/**
 * The alert event log: a refused request may record an event there (a quota refusal records
 * `quota-reached`, in the background) — a report about the request, not something it wrote.
 */
const EVENT_LOG = '/events';

/** Every node under `root` (default: the whole chroot) but the event log, by path. */
export async function dumpTree(zk: ZkSession, root = '/'): Promise<Record<string, DumpedNode>> {
  const out: Record<string, DumpedNode> = {};
  const walk = async (path: string): Promise<void> => {
    if (path === EVENT_LOG) return;
    const node = await zk.get(path);
    out[path] = {
      data: node.data.toString('base64'),
      mzxid: String(node.stat.mzxid),
      // The root's children change when the event log is first created: compare its data only.
      pzxid: path === '/' ? '' : String(node.stat.pzxid),
    };
    const children = await zk.children(path);
    for (const name of children) await walk(path === '/' ? `/${name}` : `${path}/${name}`);
  };
  await walk(root);
  return out;
}

/** Creates `path` (and its missing parents) holding `value` as JSON, as another service would. */
export async function createJson(
  zk: ZkSession,
  path: string,
  value: unknown,
  mode: 'persistent' | 'ephemeral' = 'persistent',
): Promise<void> {
  await zk.mkdirp(path.slice(0, path.lastIndexOf('/')) || '/');
  await zk.create(path, JSON.stringify(value), mode);
}
