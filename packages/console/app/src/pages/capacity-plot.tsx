/**
 * Capacity per zone as an inline SVG: one horizontal bar per zone, used memory then free memory,
 * all zones on one scale so that they compare by length. Geometry from `plot.ts`; colours from
 * classes in `plot.css` (the CSP allows no inline style). The table below it carries the same
 * numbers for screen readers; the SVG is one labelled image.
 */
import { formatMb, memoryUnit, ticks, zoneBars, type ZoneMemory } from '../plot';

/** SVG width in user units; the element scales to its container. */
const WIDTH = 640;
/** Room for the zone names on the left and the used/total text on the right. */
const LEFT = 96;
const RIGHT = 140;
/** Height of one zone's row, and of its bar within it. */
const ROW = 30;
const BAR = 18;
/** Room for the axis labels under the bars. */
const AXIS = 22;

/** The capacity plot of `zones`. */
export function CapacityPlot({ zones }: { zones: readonly ZoneMemory[] }) {
  const plotWidth = WIDTH - LEFT - RIGHT;
  const { bars, max } = zoneBars(zones, { left: LEFT, width: plotWidth, top: 4, row: ROW, bar: BAR });
  const height = 4 + zones.length * ROW + AXIS;
  const bottom = 4 + zones.length * ROW;
  const summary = zones.map((z) => `${z.zone}: ${z.used} of ${z.total} MB used`).join('; ');
  return (
    <figure class="plot">
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        width={WIDTH}
        height={height}
        role="img"
        aria-label={`Memory per zone. ${summary || 'No allocators.'}`}
        data-plot="capacity"
      >
        {ticks(max, memoryUnit(max)).map((t) => {
          const x = LEFT + (t / max) * plotWidth;
          return (
            <g key={t} class="plot-tick">
              <line x1={x} x2={x} y1={4} y2={bottom} />
              <text x={x} y={bottom + 15} text-anchor="middle">
                {formatMb(t)}
              </text>
            </g>
          );
        })}
        {bars.map((b) => (
          <g key={b.zone} data-zone-bar={b.zone}>
            <title>{`${b.zone}: ${b.usedMb} MB used, ${b.freeMb} MB free`}</title>
            <text class="plot-label" x={LEFT - 8} y={b.used.y + BAR / 2 + 4} text-anchor="end">
              {b.zone}
            </text>
            <rect class="plot-used" data-used={b.usedMb} {...b.used} />
            <rect class="plot-free" data-free={b.freeMb} {...b.free} />
            <text class="plot-value" x={WIDTH - RIGHT + 8} y={b.used.y + BAR / 2 + 4}>
              {formatMb(b.usedMb)} / {formatMb(b.usedMb + b.freeMb)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption>
        <span class="legend legend-used" /> used <span class="legend legend-free" /> free
      </figcaption>
    </figure>
  );
}
