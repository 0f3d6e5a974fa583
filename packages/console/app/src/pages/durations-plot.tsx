/**
 * Plan durations as an inline SVG: one column per recent plan attempt (oldest on the left), its
 * height the attempt's duration, its colour its outcome; an attempt still running has no column
 * yet. Geometry from `plot.ts`, colours from `plot.css` (no inline style under the CSP).
 */
import { type Attempt } from '../live';
import { columnBars, durationMs, formatMs, ticks } from '../plot';

const WIDTH = 480;
const HEIGHT = 160;
/** Room for the duration axis on the left and the attempt numbers below. */
const LEFT = 56;
const BOTTOM = 22;
const TOP = 8;
/** Gap between columns, and the widest a column gets, in user units. */
const GAP = 10;
const MAX_COLUMN = 48;

/** The durations plot of `attempts` (newest first, as the stream sends them). */
export function DurationsPlot({ attempts }: { attempts: readonly Attempt[] }) {
  const done = [...attempts]
    .reverse()
    .map((a) => ({ attempt: a, ms: durationMs(a.attempt_start_time, a.attempt_end_time) }))
    .filter((d): d is { attempt: Attempt; ms: number } => d.ms !== undefined);
  if (done.length === 0) return null;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const { bars, max } = columnBars(
    done.map((d) => d.ms),
    { left: LEFT, width: WIDTH - LEFT - 8, top: TOP, height: plotHeight, gap: GAP, maxWidth: MAX_COLUMN },
  );
  const summary = done.map((d) => `${d.attempt.status} in ${formatMs(d.ms)}`).join('; ');
  return (
    <figure class="plot">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width={WIDTH}
        height={HEIGHT}
        role="img"
        aria-label={`Plan durations, oldest first: ${summary}`}
        data-plot="durations"
      >
        {ticks(max).map((t) => {
          const y = TOP + plotHeight - (t / max) * plotHeight;
          return (
            <g key={t} class="plot-tick">
              <line x1={LEFT} x2={WIDTH - 8} y1={y} y2={y} />
              <text x={LEFT - 6} y={y + 4} text-anchor="end">
                {formatMs(t)}
              </text>
            </g>
          );
        })}
        {bars.map((r, i) => {
          const d = done[i]!;
          return (
            <g key={d.attempt.plan_attempt_id} data-duration-bar={d.attempt.plan_attempt_id}>
              <title>{`${d.attempt.plan_id}: ${d.attempt.status} in ${formatMs(d.ms)}`}</title>
              <rect class={`plot-attempt plot-attempt-${d.attempt.status}`} data-ms={d.ms} {...r} />
              <text x={r.x + r.width / 2} y={HEIGHT - 6} text-anchor="middle">
                {formatMs(d.ms)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
