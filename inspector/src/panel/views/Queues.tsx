/** Queues: every pending item with its age, and a chart of each queue's depth over the session. */
import { useMemo } from 'preact/hooks';
import { nowAt, useModels, usePanel } from '../context.ts';
import { formatAge, formatBytes } from '../format.ts';
import { sampleModels } from '../sampling.ts';
import { FrameLink } from './FrameLink.tsx';

const SAMPLES = 80;

export function Queues() {
  const state = usePanel();
  const models = useModels(state);
  const now = nowAt(state);
  const store = state.session.store;
  const queues = Object.entries(models).flatMap(([protocol, model]) =>
    Object.entries(model.queues).map(([name, items]) => ({ key: `${protocol}/${name}`, items })),
  );
  // Re-sampled every 256 new frames (not every render) so a live flood does not refold the session per frame.
  const bucket = Math.floor(store.end / 256);
  const depth = useMemo(() => depthSeries(), [bucket, state.session.epoch, store.start]);

  function depthSeries() {
    const series = new Map<string, Array<[number, number]>>();
    for (const sample of sampleModels(store, SAMPLES)) {
      for (const [protocol, model] of Object.entries(sample.models)) {
        for (const [name, items] of Object.entries(model.queues)) {
          const key = `${protocol}/${name}`;
          const points = series.get(key) ?? [];
          series.set(key, points);
          points.push([sample.t, items.length]);
        }
      }
    }
    return series;
  }

  if (queues.length === 0 && depth.size === 0)
    return <div class="empty">No queues in this session{state.cursor !== undefined ? ' at this moment' : ''}.</div>;
  return (
    <div class="scroll pad">
      {depth.size > 0 ? <DepthChart series={depth} /> : null}
      {queues.some((q) => q.items.length === 0) ? (
        <div class="card muted">
          Empty:{' '}
          {queues
            .filter((q) => q.items.length === 0)
            .map((q) => q.key)
            .join(', ')}
        </div>
      ) : null}
      {queues
        .filter((q) => q.items.length > 0)
        .map(({ key, items }) => (
          <section key={key} class="card" aria-label={`Queue ${key}`}>
            <h3>
              {key} <span class="badge">{items.length} pending</span>
            </h3>
            {items.length === 0 ? (
              <div class="muted">Empty.</div>
            ) : (
              <table class="grid">
                <thead>
                  <tr>
                    <th>Item</th>
                    <th>Age</th>
                    <th>Attempts</th>
                    <th>Size</th>
                    <th>Frame</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((item) => (
                    <tr key={item.id}>
                      <td>
                        <code>{item.id}</code> {item.label ? <span class="muted">{item.label}</span> : null}
                      </td>
                      <td class={now - item.enqueuedAt > 10_000 ? 'warn' : ''}>{formatAge(now - item.enqueuedAt)}</td>
                      <td>{item.attempts}</td>
                      <td>{item.size === undefined ? '' : formatBytes(item.size)}</td>
                      <td>
                        <FrameLink seq={item.frame} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        ))}
    </div>
  );
}

const COLORS = ['var(--accent)', 'var(--warn)', 'var(--good)', 'var(--bad)', 'var(--muted)'];

function DepthChart({ series }: { series: Map<string, Array<[number, number]>> }) {
  const all = [...series.values()].flat();
  const t0 = Math.min(...all.map(([t]) => t));
  const t1 = Math.max(...all.map(([t]) => t), t0 + 1);
  const max = Math.max(1, ...all.map(([, d]) => d));
  const W = 600;
  const H = 80;
  return (
    <section class="card" aria-label="Queue depth over time">
      <h3>Queue depth over time</h3>
      <svg class="chart" viewBox={`0 0 ${W} ${H + 4}`} preserveAspectRatio="none" role="img" aria-label="Queue depth over time">
        {[...series.entries()].map(([key, points], i) => (
          <polyline
            key={key}
            fill="none"
            stroke={COLORS[i % COLORS.length]}
            stroke-width="2"
            vector-effect="non-scaling-stroke"
            points={stepPoints(
              points,
              (t) => ((t - t0) / (t1 - t0)) * W,
              (d) => H + 2 - (d / max) * H,
            )}
          />
        ))}
      </svg>
      <div class="legend">
        {[...series.keys()].map((key, i) => (
          <span key={key}>
            <i style={{ background: COLORS[i % COLORS.length] }} /> {key}
          </span>
        ))}
        <span class="muted">max {max}</span>
      </div>
    </section>
  );
}

/** A depth holds until the next sample: drawn as steps, not slopes between samples. */
function stepPoints(points: Array<[number, number]>, x: (t: number) => number, y: (d: number) => number): string {
  const out: string[] = [];
  let previous: number | undefined;
  for (const [t, d] of points) {
    if (previous !== undefined) out.push(`${x(t).toFixed(1)},${y(previous).toFixed(1)}`);
    out.push(`${x(t).toFixed(1)},${y(d).toFixed(1)}`);
    previous = d;
  }
  return out.join(' ');
}
