import { type Stat as RawStat } from 'node-zookeeper-client';
import { type ZkStat } from './types';

const NO_OWNER = '0000000000000000';

/** Formats an 8-byte id buffer (session id, zxid) as 16 lower-case hex digits. */
export function idToHex(id: Buffer): string {
  return id.toString('hex').padStart(16, '0');
}

function toBigInt(buf: Buffer): bigint {
  return buf.length >= 8 ? buf.readBigInt64BE(0) : 0n;
}

function toMillis(buf: Buffer): number {
  return Number(toBigInt(buf));
}

/** Decodes the library's stat (8-byte fields as Buffers) into a {@link ZkStat}. */
export function toZkStat(raw: RawStat): ZkStat {
  const owner = idToHex(raw.ephemeralOwner);
  return Object.freeze({
    czxid: toBigInt(raw.czxid),
    mzxid: toBigInt(raw.mzxid),
    pzxid: toBigInt(raw.pzxid),
    ctime: toMillis(raw.ctime),
    mtime: toMillis(raw.mtime),
    version: raw.version,
    cversion: raw.cversion,
    aversion: raw.aversion,
    ephemeralOwner: owner === NO_OWNER ? null : owner,
    dataLength: raw.dataLength,
    numChildren: raw.numChildren,
  });
}
