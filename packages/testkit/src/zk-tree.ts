import { type ZkSession } from '@wharf/zk';

/**
 * The persistent znodes below `/` of `session`'s view (its chroot, if any) with their data in
 * base64, by path: what a backup must carry and a restore must bring back (ephemeral nodes
 * belong to live sessions and are in neither).
 */
export async function persistentTree(session: ZkSession): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (path: string): Promise<void> => {
    const node = await session.get(path);
    if (node.stat.ephemeralOwner !== null) return;
    if (path !== '/') out[path] = node.data.toString('base64');
    for (const name of await session.children(path))
      await walk(path === '/' ? `/${name}` : `${path}/${name}`);
  };
  await walk('/');
  return out;
}
