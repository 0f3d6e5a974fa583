/**
 * etcd snapshots through `POST /v3/maintenance/snapshot`: the gateway streams newline-separated
 * JSON messages whose base64 `blob`s concatenate to the bbolt file followed by its SHA-256 (the
 * same integrity trailer `etcdctl snapshot save` checks). The file appears only once verified.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WharfError } from '@wharf/model';
import { httpRequest } from '../http-client';
import { type HookOptions, type MemberEndpoint, type SnapshotResult } from '../types';
import { ETCD_REQUEST_TIMEOUT_MS } from './api';
import { etcdAuthOf } from './auth-session';
import { clientUrlOf } from './config';

/** Default time for a whole snapshot (5 min): a multi-GiB backend streams for minutes. */
export const DEFAULT_SNAPSHOT_TIMEOUT_MS = 300_000;
/** Length of the SHA-256 trailer. */
const TRAILER_BYTES = 32;

/** Consumes the gateway's message stream, writing decoded bytes to `fd` and checking the trailer. */
class SnapshotSink {
  private pending = '';
  private tail = Buffer.alloc(0);
  private readonly bodyHash = createHash('sha256');
  private readonly fileHash = createHash('sha256');
  bytes = 0;

  constructor(private readonly fd: number) {}

  push(chunk: Buffer): void {
    this.pending += chunk.toString('utf8');
    let newline = this.pending.indexOf('\n');
    while (newline >= 0) {
      this.message(this.pending.slice(0, newline));
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf('\n');
    }
  }

  private message(line: string): void {
    if (line.trim() === '') return;
    const parsed = JSON.parse(line) as { result?: { blob?: string }; error?: { message?: string } };
    if (parsed.error) throw new Error(`etcd snapshot error: ${parsed.error.message ?? 'unknown'}`);
    const data = Buffer.from(parsed.result?.blob ?? '', 'base64');
    writeSync(this.fd, data);
    this.fileHash.update(data);
    this.bytes += data.length;
    // Everything but the last 32 bytes is the database the trailer hashes.
    const joined = Buffer.concat([this.tail, data]);
    const cut = Math.max(0, joined.length - TRAILER_BYTES);
    this.bodyHash.update(joined.subarray(0, cut));
    this.tail = Buffer.from(joined.subarray(cut));
  }

  /** Checks the trailer; returns the file's SHA-256. */
  finish(): string {
    this.push(Buffer.from('\n'));
    if (this.bytes <= TRAILER_BYTES || !this.bodyHash.digest().equals(this.tail)) {
      throw new Error('snapshot integrity check failed');
    }
    return this.fileHash.digest('hex');
  }
}

/** Makes a rename in `dir` durable. */
async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Streams a snapshot of `endpoint`'s data to `toFile` (written atomically, mode 0600). */
export async function etcdSnapshot(
  endpoint: MemberEndpoint,
  toFile: string,
  options: HookOptions = {},
): Promise<SnapshotResult> {
  const url = `${clientUrlOf(endpoint)}/v3/maintenance/snapshot`;
  const tmp = `${toFile}.partial`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SNAPSHOT_TIMEOUT_MS;
  // etcd refuses snapshots without a token once authentication is on.
  const token = await etcdAuthOf(options)?.tokenFor(clientUrlOf(endpoint), ETCD_REQUEST_TIMEOUT_MS);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    const sink = new SnapshotSink(fd);
    const res = await httpRequest(
      url,
      { method: 'POST', json: {}, timeoutMs, ...(token ? { headers: { authorization: token } } : {}) },
      (chunk) => sink.push(chunk),
    );
    if (res.status !== 200) throw new Error(`etcd answered status ${res.status}`);
    const sha256 = sink.finish();
    // Data on disk before the name: a crash leaves a `.partial` or a whole file, never half of one.
    fsyncSync(fd);
    closeSync(fd);
    await rename(tmp, toFile);
    await fsyncDirectory(dirname(toFile));
    options.logger?.info('etcd snapshot written', { member: endpoint.name, file: toFile, bytes: sink.bytes });
    return { file: toFile, bytes: sink.bytes, sha256 };
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    await rm(tmp, { force: true });
    if (err instanceof WharfError) throw err;
    throw new WharfError('WHARF_STACK_ERROR', 'etcd snapshot failed', {
      details: { member: endpoint.name, url },
      cause: err,
    });
  }
}
