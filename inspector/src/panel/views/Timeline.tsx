/**
 * The timeline strip: message rate over the whole session with sync phases drawn under it. Clicking or dragging
 * moves the time-travel cursor, and every view shows the state at that moment; "Live" returns to now.
 */
import { useMemo, useRef } from 'preact/hooks';
import { usePanel } from '../context.ts';
import { formatClock, formatOffset } from '../format.ts';
import { phaseSegments } from './phase-segments.ts';

const BUCKETS = 160;
/** Phase segments per row at most: about one per pixel column of a wide strip. */
const PHASE_COLUMNS = 480;
const PHASE_COLORS: Record<string, string> = {
  connecting: '#9aa4b2',
  bootstrap: '#6c8cff',
  delta: '#3fb68b',
  draining: '#e0a030',
  rehydrate: '#b07cff',
  'timeline-sync': '#4cb3d4',
  'storage-sync': '#4c9fd4',
  'catching-up': '#d4a94c',
  polling: '#8fa34c',
  live: '#2fa66a',
  idle: '#a0a0a0',
  offline: '#e05252',
};

export function Timeline() {
  const { session, version, cursor, setCursor } = usePanel();
  const store = session.store;
  const stripRef = useRef<HTMLDivElement>(null);
  const t0 = store.frame(store.start)?.t ?? 0;
  const t1 = Math.max(store.frame(store.end - 1)?.t ?? 0, t0 + 1);

  const buckets = useMemo(() => {
    const out: number[] = [];
    if (store.size === 0) return out;
    let previous = store.start;
    for (let i = 1; i <= BUCKETS; i++) {
      const edge = i === BUCKETS ? store.end : store.positionAtTime(t0 + ((t1 - t0) * i) / BUCKETS);
      out.push(Math.max(0, edge - previous));
      previous = edge;
    }
    return out;
  }, [version, t0, t1]);

  const phases = useMemo(() => {
    if (store.size === 0) return [];
    return Object.entries(session.modelsAt()).map(([protocol, model]) => ({
      protocol,
      segments: phaseSegments(model.phases, t0, t1, PHASE_COLUMNS),
    }));
  }, [version, session.epoch, t0, t1]);

  const max = Math.max(1, ...buckets);
  const x = (t: number) => `${((t - t0) / (t1 - t0)) * 100}%`;
  const cursorT = cursor === undefined ? undefined : store.frame(cursor)?.t;

  const seek = (clientX: number) => {
    const rect = stripRef.current?.getBoundingClientRect();
    if (!rect || store.size === 0) return;
    const fraction = Math.min(1, Math.max(0, (clientX - rect.left) / rect.width));
    const position = Math.min(store.end - 1, store.positionAtTime(t0 + fraction * (t1 - t0)));
    setCursor(Math.max(store.start, position));
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const step = e.shiftKey ? 100 : 1;
    const at = cursor ?? store.end - 1;
    if (e.key === 'ArrowLeft') setCursor(Math.max(store.start, at - step));
    else if (e.key === 'ArrowRight') setCursor(at + step >= store.end - 1 ? undefined : at + step);
    else if (e.key === 'End') setCursor(undefined);
    else if (e.key === 'Home') setCursor(store.start);
    else return;
    e.preventDefault();
  };

  return (
    <div class="timeline">
      <div
        class="strip"
        ref={stripRef}
        role="slider"
        tabIndex={0}
        aria-label="Timeline: click or drag to travel in time"
        aria-valuemin={store.start}
        aria-valuemax={Math.max(store.start, store.end - 1)}
        aria-valuenow={cursor ?? store.end - 1}
        onPointerDown={(e) => {
          (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
          seek(e.clientX);
        }}
        onPointerMove={(e) => {
          if (e.buttons & 1) seek(e.clientX);
        }}
        onKeyDown={onKeyDown}
      >
        <div class="bars">
          {buckets.map((n, i) => (
            <div key={i} class="bar" style={{ height: `${n ? Math.max(8, (n / max) * 100) : 0}%` }} title={`${n} frames`} />
          ))}
        </div>
        <div class="phases">
          {phases.map(({ protocol, segments }) => (
            <div key={protocol} class="phase-row" title={protocol}>
              {segments.map((segment, i) => (
                <div
                  key={i}
                  class="phase"
                  data-phase={segment.phase}
                  style={{
                    left: x(segment.from),
                    width: `max(2px, calc(${x(segment.to)} - ${x(segment.from)}))`,
                    background: PHASE_COLORS[segment.phase] ?? '#888',
                  }}
                  title={`${protocol}: ${segment.phase}${segment.conn ? ` (${segment.conn})` : ''} from ${formatClock(segment.from)}${
                    segment.changes > 1 ? ` (${segment.changes.toLocaleString()} phase changes drawn as one)` : ''
                  }`}
                >
                  {segment.phase}
                </div>
              ))}
            </div>
          ))}
        </div>
        {cursorT !== undefined ? <div class="cursor-line" style={{ left: x(cursorT) }} /> : null}
      </div>
      <div class="timeline-info">
        {cursor === undefined ? (
          <span class="badge good-bg">live</span>
        ) : (
          <>
            <span class="badge warn-bg" data-testid="time-travel">
              at #{store.frame(cursor)?.seq} {formatOffset((cursorT ?? t0) - t0)}
            </span>
            <button type="button" onClick={() => setCursor(undefined)}>
              Live
            </button>
          </>
        )}
      </div>
    </div>
  );
}
