/**
 * One uPlot chart of hourly values, sized to its container, with a text summary for screen
 * readers and the same numbers as a table behind a disclosure. uPlot draws on a canvas and
 * loads nothing from elsewhere: it is bundled and served by hookd like the rest of the page.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Line {
  label: string;
  color: string;
  /** One value per hour; null where there is none. */
  values: (number | null)[];
  format: (value: number | null) => string;
}

interface Props {
  title: string;
  summary: string;
  hours: number[];
  lines: Line[];
  /** Stacked bars (counts) rather than lines (latencies). */
  stacked?: boolean;
  height?: number;
}

/** Cumulative sums, drawn tallest first, so each bar shows its own segment on top of the last. */
function stack(lines: Line[]): (number | null)[][] {
  const sums: (number | null)[][] = [];
  lines.forEach((line, i) => sums.push(line.values.map((v, h) => (v ?? 0) + (i === 0 ? 0 : sums[i - 1]![h]!))));
  return sums;
}

export function HourlyChart({ title, summary, hours, lines, stacked = false, height = 220 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = hours.map((h) => h / 1000);
    const drawn = stacked ? stack(lines).map((values, i) => ({ line: lines[i]!, values })).reverse() : lines.map((line) => ({ line, values: line.values }));
    const bars = uPlot.paths.bars?.({ size: [0.7, 40] });
    const plot = new uPlot({
      width: Math.max(280, el.clientWidth),
      height,
      series: [
        { label: 'Hour', value: (_u, v) => (v === null ? '—' : new Date(v * 1000).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })) },
        ...drawn.map(({ line }) => ({
          label: line.label, stroke: line.color, width: 2, fill: stacked ? line.color : undefined,
          paths: stacked ? bars : undefined, points: { show: !stacked },
          // The legend shows each series' own value, not the stacked sum the bar is drawn at.
          value: (_u: uPlot, _v: number | null, _s: number, i: number | null) => line.format(i === null ? null : line.values[i] ?? null),
        })),
      ],
      axes: [{ stroke: '#334155', grid: { stroke: '#e2e8f0' } }, { stroke: '#334155', grid: { stroke: '#e2e8f0' }, size: 60 }],
      // From zero, with headroom above the tallest value so that it does not touch the frame.
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      cursor: { points: { show: !stacked } },
    }, [xs, ...drawn.map((d) => d.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [hours, lines, stacked, height]);

  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title}. ${summary}`} />
      <details>
        <summary>Show as a table</summary>
        <div class="table-scroll">
          <table>
            <thead><tr><th scope="col">Hour</th>{lines.map((l) => <th scope="col" key={l.label}>{l.label}</th>)}</tr></thead>
            <tbody>
              {hours.map((h, i) => (
                <tr key={h}>
                  <th scope="row">{new Date(h).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })}</th>
                  {lines.map((l) => <td key={l.label}>{l.format(l.values[i] ?? null)}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
