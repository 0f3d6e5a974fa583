// The memory a set of processes occupies together: distinct physical pages, each counted once.
//
// Why not the sum of VmRSS: RSS counts every page a process maps, and most of an idle Node
// process's RSS (~34 of a bare `node`'s ~40 MB here) is the node executable's and the shared
// libraries' text, the same physical pages in every Node process of the host. Six services on
// one host share them; the sum of their RSS counts them six times. Reading the physical frame
// number of every resident page (`/proc/<pid>/pagemap`, which gives frame numbers to root only)
// and counting distinct frames gives what the host really holds for these processes — what it
// would get back if they all exited, page cache aside.
//
// Only the mappings smaps says are resident are read (V8 reserves gigabytes of address space it
// never touches), 8 bytes per page of those.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

const PAGE = 4096;
const PRESENT = 1n << 63n;
const PFN_MASK = (1n << 55n) - 1n;

/** `[start, end)` of each mapping of `pid` with resident pages. */
function residentRanges(pid) {
  const ranges = [];
  let current;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (head) {
      current = [parseInt(head[1], 16), parseInt(head[2], 16)];
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && current !== undefined && Number(rss[1]) > 0) ranges.push(current);
  }
  return ranges;
}

/** Adds the frame number of every resident page of `pid` to `frames`. */
function addFrames(pid, frames) {
  const fd = openSync(`/proc/${pid}/pagemap`, 'r');
  try {
    for (const [start, end] of residentRanges(pid)) {
      const pages = (end - start) / PAGE;
      const buf = Buffer.alloc(pages * 8);
      const read = readSync(fd, buf, 0, buf.length, (start / PAGE) * 8);
      for (let off = 0; off + 8 <= read; off += 8) {
        const entry = buf.readBigUInt64LE(off);
        if ((entry & PRESENT) === 0n) continue;
        const pfn = entry & PFN_MASK;
        // Without CAP_SYS_ADMIN the kernel zeroes the frame numbers: nothing can be deduplicated.
        if (pfn === 0n) throw new Error('pagemap gives no frame numbers (run as root)');
        frames.add(pfn);
      }
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * MiB of distinct resident pages of `pids` together, or undefined when the frame numbers cannot be
 * read (not root, or a process gone meanwhile).
 */
export function footprintMb(pids) {
  const frames = new Set();
  try {
    for (const pid of pids) addFrames(pid, frames);
  } catch {
    return undefined;
  }
  return (frames.size * PAGE) / 1048576;
}
