/*
 * `getData("/zookeeper/config")` outside the session's chroot, as the Java client's `getConfig`
 * sends it. node-zookeeper-client (pinned) prefixes every request path with the chroot at queue
 * time (`payload.setChrootPath`), so a chrooted session asking the library would read
 * `/wharf/zookeeper/config`. This request has the library's Request shape (like `addWatchRequest`
 * in persistent-watch.ts) but ignores the chroot; its opcode is the library's GET_DATA, so the
 * library parses the reply (data and stat) itself.
 */
import { libraryRequest } from './library-request';

/** Where ZooKeeper (3.5+) publishes the ensemble's dynamic configuration. */
export const CONFIG_NODE = '/zookeeper/config';

/** `ZooDefs.OpCode.getData`. */
export const OP_GET_DATA = 4;

/** `GetDataRequest { ustring path; boolean watch }` for {@link CONFIG_NODE}, chroot ignored. */
export function configRequest(watch: boolean): unknown {
  const path = Buffer.from(CONFIG_NODE, 'utf8');
  return libraryRequest(OP_GET_DATA, {
    // The library calls this on a chrooted session; the path stays absolute on purpose.
    setChrootPath: (): void => undefined,
    byteLength: () => 4 + path.length + 1,
    serialize(buffer: Buffer, offset: number): number {
      buffer.writeInt32BE(path.length, offset);
      path.copy(buffer, offset + 4);
      buffer.writeUInt8(watch ? 1 : 0, offset + 4 + path.length);
      return 4 + path.length + 1;
    },
  });
}
