import {
  ADD_WATCH_MODE_PERSISTENT_RECURSIVE,
  OP_ADD_WATCH,
  PersistentWatches,
  addWatchRequest,
  decodeNotification,
  type ConnectionManagerWatchIo,
} from './persistent-watch';
import { type ZkWatchEvent } from './types';

/** A reply frame as it comes off the socket: length, xid, zxid, err, body. */
function reply(xid: number, err: number, body: Buffer = Buffer.alloc(0), zxid = 7n): Buffer {
  const frame = Buffer.alloc(20 + body.length);
  frame.writeInt32BE(16 + body.length, 0);
  frame.writeInt32BE(xid, 4);
  frame.writeBigInt64BE(zxid, 8);
  frame.writeInt32BE(err, 16);
  body.copy(frame, 20);
  return frame;
}

function notification(type: number, path: string): Buffer {
  const bytes = Buffer.from(path);
  const body = Buffer.alloc(12 + bytes.length);
  body.writeInt32BE(type, 0);
  body.writeInt32BE(3, 4); // SyncConnected
  body.writeInt32BE(bytes.length, 8);
  bytes.copy(body, 12);
  return reply(-1, 0, body, -1n);
}

function fakeManager(chroot = '/wharf'): ConnectionManagerWatchIo & { sent: unknown[] } {
  const cm = {
    state: 2,
    chrootPath: chroot,
    zxid: Buffer.alloc(8),
    pendingQueue: [] as ConnectionManagerWatchIo['pendingQueue'],
    sent: [] as unknown[],
    queue(request: unknown, callback: (err: unknown) => void): void {
      // What the library does when it writes a request: the next xid, then awaits its reply.
      const header = (request as { header: { xid: number; type: number } }).header;
      header.xid = 41 + cm.sent.length;
      (request as { payload: { setChrootPath(c: string): void } }).payload.setChrootPath(chroot);
      cm.sent.push(request);
      cm.pendingQueue.push({ request: request as never, callback });
    },
  };
  return cm;
}

test('addWatch is serialised as opcode 106 with the chrooted path and PERSISTENT_RECURSIVE', () => {
  const request = addWatchRequest('/routes', ADD_WATCH_MODE_PERSISTENT_RECURSIVE) as {
    header: { xid: number };
    payload: { setChrootPath(c: string): void };
    toBuffer(): Buffer;
  };
  request.header.xid = 5;
  request.payload.setChrootPath('/wharf');
  const buffer = request.toBuffer();
  const path = '/wharf/routes';
  expect(buffer.readInt32BE(0)).toBe(buffer.length - 4);
  expect(buffer.readInt32BE(4)).toBe(5);
  expect(buffer.readInt32BE(8)).toBe(OP_ADD_WATCH);
  expect(buffer.readInt32BE(12)).toBe(path.length);
  expect(buffer.toString('utf8', 16, 16 + path.length)).toBe(path);
  expect(buffer.readInt32BE(16 + path.length)).toBe(1);
});

test('the addWatch reply is consumed, the watcher recorded and notifications routed by root', () => {
  const cm = fakeManager();
  const watches = new PersistentWatches(cm, () => undefined);
  const events: ZkWatchEvent[] = [];
  const results: unknown[] = [];
  watches.add('/routes', (e) => events.push(e))((err) => results.push(err) > 0);
  expect(watches.size).toBe(0); // not before the server agreed
  expect(watches.intercept(reply(41, 0, Buffer.alloc(0), 99n))).toBe(true);
  expect(results).toEqual([null]);
  expect(cm.pendingQueue).toHaveLength(0);
  expect(cm.zxid.readBigInt64BE(0)).toBe(99n);
  expect(watches.size).toBe(1);

  // Notifications still go to the library too (false): its one-shot watches share them.
  expect(watches.intercept(notification(1, '/wharf/routes/d1'))).toBe(false);
  expect(watches.intercept(notification(2, '/wharf/routes/d1'))).toBe(false);
  expect(watches.intercept(notification(3, '/wharf/routes'))).toBe(false);
  expect(watches.intercept(notification(1, '/wharf/routesx'))).toBe(false); // a sibling, not below
  expect(watches.intercept(notification(1, '/wharf/hosts/h1'))).toBe(false);
  expect(events).toEqual([
    { type: 'created', path: '/routes/d1' },
    { type: 'deleted', path: '/routes/d1' },
    { type: 'dataChanged', path: '/routes' },
  ]);
  // A type the library does not know (e.g. 5: watch removed) is swallowed: it would throw on it.
  expect(watches.intercept(notification(5, '/wharf/routes'))).toBe(true);
});

test('an error reply is left to the library; other replies pass; a reset forgets every root', () => {
  const cm = fakeManager();
  const watches = new PersistentWatches(cm, () => undefined);
  watches.add('/routes', () => undefined)(() => true);
  expect(watches.intercept(reply(41, -6))).toBe(false); // UNIMPLEMENTED: the library reports it
  cm.pendingQueue.length = 0;
  cm.pendingQueue.push({ request: { header: { xid: 42, type: 4 } } });
  expect(watches.intercept(reply(42, 0))).toBe(false); // a getData reply is the library's
  const events: ZkWatchEvent[] = [];
  cm.pendingQueue.length = 0;
  watches.add('/routes', (e) => events.push(e))(() => true);
  expect(watches.intercept(reply(42, 0))).toBe(true);
  watches.reset();
  watches.intercept(notification(1, '/wharf/routes/x'));
  expect(events).toEqual([]);
});

test('a watcher that throws is reported and the others still hear the event', () => {
  const cm = fakeManager('');
  const errors: unknown[] = [];
  const watches = new PersistentWatches(cm, (err) => errors.push(err));
  const heard: string[] = [];
  watches.add('/', () => {
    throw new Error('boom');
  })(() => true);
  watches.intercept(reply(41, 0));
  watches.add('/', (e) => heard.push(e.path))(() => true);
  watches.intercept(reply(42, 0));
  watches.intercept(notification(3, '/a/b'));
  expect(heard).toEqual(['/a/b']);
  expect(errors).toHaveLength(1);
  expect(decodeNotification(reply(3, 0), undefined)).toBeNull();
});
