/**
 * The geometry of the console's plots, as plain numbers: the SVG components only draw what these
 * functions return, so the scaling is unit-tested without a DOM. Plots are inline SVG with
 * attributes (never `style`), which the console's CSP (`style-src 'self'`) allows.
 */

/** A rectangle in SVG user units. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The smallest "round" number (1, 2 or 5 × 10ⁿ, in `unit`s) at or above `value`; one `unit` for
 * nothing to show. Memory axes use a unit of 1024 MB above a gigabyte so that ticks land on whole
 * gigabytes.
 */
export function niceCeiling(value: number, unit = 1): number {
  const v = value / unit;
  if (!(v > 0) || !Number.isFinite(v)) return unit;
  const magnitude = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= v - 1e-9) return step * magnitude * unit;
  return 10 * magnitude * unit;
}

/** The memory axis unit for a maximum of `mb`: MB up to a gigabyte, GB above. */
export function memoryUnit(mb: number): number {
  return mb > 1024 ? 1024 : 1;
}

/** `value` of `max` as a length of at most `length` (clamped to 0..length). */
export function scale(value: number, max: number, length: number): number {
  if (!(max > 0) || !(value > 0)) return 0;
  return Math.min(length, (value / max) * length);
}

/**
 * Axis ticks from 0 to a {@link niceCeiling} `max` inclusive, on round steps: a maximum of 1 or 5
 * (× 10ⁿ units) gets 5 intervals, of 2 gets 4.
 */
export function ticks(max: number, unit = 1): number[] {
  const v = max / unit;
  const lead = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  const count = Math.round(lead) === 2 ? 4 : 5;
  return Array.from({ length: count + 1 }, (_, i) => (max * i) / count);
}

/** One zone's memory: used and total MB. */
export interface ZoneMemory {
  zone: string;
  used: number;
  total: number;
}

/** One horizontal stacked bar: used from the left, free after it. */
export interface StackedBar {
  zone: string;
  used: Rect;
  free: Rect;
  usedMb: number;
  freeMb: number;
}

/** Layout of a horizontal bar chart: where the bars start and how tall each row is. */
export interface RowLayout {
  left: number;
  width: number;
  top: number;
  row: number;
  bar: number;
}

/**
 * One stacked bar per zone, all on the same scale (the largest zone's total, rounded up) so that
 * zones compare by length. Used memory over the total (an overcommitted zone) fills the bar.
 */
export function zoneBars(
  zones: readonly ZoneMemory[],
  layout: RowLayout,
): { bars: StackedBar[]; max: number } {
  const largest = Math.max(0, ...zones.map((z) => z.total));
  const max = niceCeiling(largest, memoryUnit(largest));
  const bars = zones.map((z, i) => {
    const y = layout.top + i * layout.row + (layout.row - layout.bar) / 2;
    const usedWidth = scale(z.used, max, layout.width);
    const totalWidth = Math.max(usedWidth, scale(z.total, max, layout.width));
    return {
      zone: z.zone,
      used: { x: layout.left, y, width: usedWidth, height: layout.bar },
      free: { x: layout.left + usedWidth, y, width: totalWidth - usedWidth, height: layout.bar },
      usedMb: z.used,
      freeMb: Math.max(0, z.total - z.used),
    };
  });
  return { bars, max };
}

/** Memory per zone: the sums of each zone's allocators, sorted by zone. */
export function memoryPerZone(
  allocators: readonly { zone: string | null; capacity: { memory_mb: number; used_memory_mb: number } }[],
): ZoneMemory[] {
  const zones = new Map<string, ZoneMemory>();
  for (const a of allocators) {
    const zone = a.zone ?? '—';
    const sum = zones.get(zone) ?? { zone, used: 0, total: 0 };
    sum.used += a.capacity.used_memory_mb;
    sum.total += a.capacity.memory_mb;
    zones.set(zone, sum);
  }
  return [...zones.values()].sort((a, b) => a.zone.localeCompare(b.zone));
}

/** Layout of a vertical bar chart: the plot area and the gap between bars. */
export interface ColumnLayout {
  left: number;
  width: number;
  top: number;
  height: number;
  gap: number;
  /** Widest a column gets (a single attempt should not fill the plot). */
  maxWidth: number;
}

/** Vertical bars of `values` on a shared rounded-up scale; the plot's bottom is `top + height`. */
export function columnBars(values: readonly number[], layout: ColumnLayout): { bars: Rect[]; max: number } {
  const max = niceCeiling(Math.max(0, ...values));
  const slot = values.length > 0 ? layout.width / values.length : 0;
  const width = Math.min(layout.maxWidth, Math.max(1, slot - layout.gap));
  const bars = values.map((v, i) => {
    const height = scale(v, max, layout.height);
    return {
      x: layout.left + i * slot + (slot - width) / 2,
      y: layout.top + layout.height - height,
      width,
      height,
    };
  });
  return { bars, max };
}

/** Milliseconds between two ISO times; undefined while the second is missing or unreadable. */
export function durationMs(start: string, end: string | undefined): number | undefined {
  if (end === undefined) return undefined;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** A duration for an axis or a label: `850 ms`, `12.5 s`, `3.2 min`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** Memory for an axis or a label: `512 MB`, `1.5 GB`. */
export function formatMb(mb: number): string {
  return mb >= 1024 ? `${Number((mb / 1024).toFixed(1))} GB` : `${Math.round(mb)} MB`;
}
