// A hand-written SVG line chart (no chart library): one panel per metric, log-free linear axes,
// one polyline per series with its points marked and labelled.

const W = 520;
const H = 300;
const PAD = { left: 64, right: 20, top: 36, bottom: 46 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

const esc = (s) =>
  String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** A "nice" upper bound for an axis: 1, 2 or 5 × 10^k at or above `max`. */
export function niceMax(max) {
  if (!(max > 0)) return 1;
  const pow = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * pow >= max) return m * pow;
  return 10 * pow;
}

/** One panel at (x0, y0): `series` = [{ name, points: [[x, y], ...] }]. */
function panel(x0, y0, { title, xLabel, yLabel, series }) {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMax = niceMax(Math.max(...xs));
  const yMax = niceMax(Math.max(...ys));
  const pw = W - PAD.left - PAD.right;
  const ph = H - PAD.top - PAD.bottom;
  const sx = (x) => x0 + PAD.left + (x / xMax) * pw;
  const sy = (y) => y0 + PAD.top + ph - (y / yMax) * ph;
  const out = [];
  out.push(
    `<text x="${x0 + W / 2}" y="${y0 + 20}" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
  );
  for (let i = 0; i <= 5; i++) {
    const yv = (yMax * i) / 5;
    const xv = (xMax * i) / 5;
    out.push(
      `<line x1="${sx(0)}" y1="${sy(yv)}" x2="${sx(xMax)}" y2="${sy(yv)}" stroke="#ddd"/>`,
      `<text x="${sx(0) - 6}" y="${sy(yv) + 4}" text-anchor="end" font-size="11">${esc(+yv.toPrecision(3))}</text>`,
      `<text x="${sx(xv)}" y="${sy(0) + 16}" text-anchor="middle" font-size="11">${esc(+xv.toPrecision(3))}</text>`,
    );
  }
  out.push(
    `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(xMax)}" y2="${sy(0)}" stroke="#333"/>`,
    `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(0)}" y2="${sy(yMax)}" stroke="#333"/>`,
    `<text x="${x0 + PAD.left + pw / 2}" y="${y0 + H - 8}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>`,
    `<text transform="translate(${x0 + 14},${y0 + PAD.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>`);
    for (const [x, y] of s.points) {
      out.push(
        `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${color}"/>`,
        `<text x="${sx(x).toFixed(1)}" y="${(sy(y) - 7).toFixed(1)}" text-anchor="middle" font-size="10" fill="${color}">${esc(+y.toPrecision(3))}</text>`,
      );
    }
    out.push(
      `<rect x="${sx(0) + 10}" y="${y0 + PAD.top + 4 + i * 16}" width="10" height="10" fill="${color}"/>`,
      `<text x="${sx(0) + 24}" y="${y0 + PAD.top + 13 + i * 16}" font-size="11">${esc(s.name)}</text>`,
    );
  });
  return out.join('\n');
}

/** An SVG document with `panels` laid out side by side, and a caption line under them. */
export function chart(panels, caption) {
  const width = W * panels.length;
  const height = H + 24;
  const body = panels.map((p, i) => panel(i * W, 0, p)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${body}
<text x="8" y="${height - 6}" font-size="11" fill="#555">${esc(caption)}</text>
</svg>
`;
}

/** The sweep's chart: plan-to-running, end-to-end placement rate, constructor CPU per placement. */
export function sweepChart(results, caption) {
  const series = (name, pick) => ({ name, points: results.map((r) => [r.allocators, pick(r)]) });
  return chart(
    [
      {
        title: 'Create: plan → running, per plan',
        xLabel: 'allocators (N)',
        yLabel: 'seconds',
        series: [
          series('p50', (r) => r.create.planToRunningP50 / 1000),
          series('p95', (r) => r.create.planToRunningP95 / 1000),
          series('placement step p50', (r) => r.create.placementP50 / 1000),
        ],
      },
      {
        title: 'Create: placements per second (end to end)',
        xLabel: 'allocators (N)',
        yLabel: 'placements/s',
        series: [series('placements/s', (r) => r.create.placementsPerSec)],
      },
      {
        title: 'Constructor CPU per placement',
        xLabel: 'allocators (N)',
        yLabel: 'CPU ms',
        series: [
          series('CPU ms / placement (create)', (r) => r.create.constructorCpuMs / r.create.instances),
        ],
      },
    ],
    caption,
  );
}
