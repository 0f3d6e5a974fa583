/*
 * A request in node-zookeeper-client's own Request shape, for the operations the pinned library
 * does not know or sends differently (persistent-watch.ts `addWatch`, config-request.ts
 * `getConfig`): its queue assigns `header.xid`, calls `payload.setChrootPath` when it has one,
 * and writes `toBuffer()` to the socket.
 */

/** What a request's body must offer the library. */
export interface LibraryPayload {
  setChrootPath(chroot: string | undefined): void;
  byteLength(): number;
  /** Writes the body at `offset`; returns the bytes written. */
  serialize(buffer: Buffer, offset: number): number;
}

/** `RequestHeader { int xid; int type }` + `payload`, length-prefixed as the library frames it. */
export function libraryRequest(type: number, payload: LibraryPayload): unknown {
  const header = {
    xid: 0,
    type,
    byteLength: () => 8,
    serialize(buffer: Buffer, offset: number): number {
      buffer.writeInt32BE(header.xid, offset);
      buffer.writeInt32BE(header.type, offset + 4);
      return 8;
    },
  };
  return {
    header,
    payload,
    toBuffer(): Buffer {
      const size = header.byteLength() + payload.byteLength();
      const buffer = Buffer.alloc(size + 4);
      buffer.writeInt32BE(size, 0);
      payload.serialize(buffer, 4 + header.serialize(buffer, 4));
      return buffer;
    },
  };
}
