/** The selected frame: decoded tree, raw text / hex, the decode error with its path, and entity diffs. */
import { useState } from 'preact/hooks';
import { usePanel } from '../context.ts';
import { type DiffEntry, diffValues, formatBytes, formatClock, frameBytes, hexDump, toDisplayJson } from '../format.ts';
import { ValueTree } from '../tree.tsx';

type DetailTab = 'decoded' | 'raw' | 'diff' | 'meta';

export function Detail({ position }: { position: number }) {
  const { session, select, setCursor, cursor } = usePanel();
  const store = session.store;
  const [tab, setTab] = useState<DetailTab>('decoded');
  const frame = store.frame(position);
  if (!frame) return null;
  const decoded = store.decode(position);
  const diffs = tab === 'diff' ? entityDiffs(position) : [];

  function entityDiffs(p: number): Array<{ id: string; type: string; entries: DiffEntry[] }> {
    const protocol = decoded?.protocol;
    if (!protocol || !frame) return [];
    const after = session.modelsAt(p)[protocol]?.entities ?? {};
    const before = p > store.start ? (session.modelsAt(p - 1)[protocol]?.entities ?? {}) : {};
    const out: Array<{ id: string; type: string; entries: DiffEntry[] }> = [];
    for (const [id, entity] of Object.entries(after)) {
      if (entity.lastFrame !== frame.seq) continue;
      out.push({ id, type: entity.type, entries: diffValues(before[id]?.value, entity.value) });
      if (out.length >= 50) break;
    }
    return out;
  }

  const bytes = frameBytes(frame);
  return (
    <section class="detail" aria-label="Frame detail">
      <header class="detail-head">
        <strong>
          #{frame.seq} {frame.transport} {frame.kind} {frame.dir}
        </strong>
        <span class="muted">
          {' '}
          {frame.conn} · {formatClock(frame.t)} · {formatBytes(bytes?.length ?? frame.text?.length ?? 0)}
        </span>
        <button
          type="button"
          class="travel"
          title="Time travel: show every view as it was right after this frame"
          disabled={cursor === position}
          onClick={() => setCursor(position)}
        >
          State here
        </button>
        <button type="button" class="icon" aria-label="Close detail" onClick={() => select(undefined)}>
          ×
        </button>
      </header>
      <div class="subtabs" role="tablist">
        {(['decoded', 'raw', 'diff', 'meta'] as const).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} class={tab === t ? 'active' : ''} onClick={() => setTab(t)}>
            {t === 'decoded' ? 'Decoded' : t === 'raw' ? (bytes ? 'Hex' : 'Raw') : t === 'diff' ? 'Entity diff' : 'Meta'}
          </button>
        ))}
      </div>
      <div class="detail-body">
        {tab === 'decoded' ? (
          decoded === undefined ? null : decoded.ok ? (
            <div>
              <div class="muted">
                {decoded.protocol} / {decoded.type} — {decoded.summary}
              </div>
              <ValueTree value={decoded.message} />
            </div>
          ) : (
            <div class="decode-error" role="alert">
              <div>
                <strong>Undecodable</strong> as {decoded.protocol}: {decoded.error.reason}
              </div>
              {decoded.error.path?.length ? (
                <div>
                  at field <code>{decoded.error.path.join('.')}</code>
                </div>
              ) : null}
              {decoded.error.offset !== undefined ? (
                <div>
                  at byte offset <code>{decoded.error.offset}</code>
                </div>
              ) : null}
            </div>
          )
        ) : null}
        {tab === 'raw' ? (
          <pre class="raw">
            {bytes
              ? hexDump(bytes)
              : frame.text !== undefined
                ? frame.text
                : frame.json !== undefined
                  ? toDisplayJson(frame.json)
                  : '(no payload)'}
          </pre>
        ) : null}
        {tab === 'diff' ? (
          diffs.length === 0 ? (
            <div class="muted">This frame changed no entity.</div>
          ) : (
            diffs.map((d) => (
              <div key={d.id} class="diff">
                <div class="diff-title">
                  {d.type} <code>{d.id}</code>
                </div>
                {d.entries.map((e) => (
                  <div key={e.path} class={`diff-line diff-${e.kind}`}>
                    <code>{e.path}</code>{' '}
                    {e.kind === 'added'
                      ? `+ ${toDisplayJson(e.after, 0)}`
                      : e.kind === 'removed'
                        ? `− ${toDisplayJson(e.before, 0)}`
                        : null}
                    {e.kind === 'changed' ? `${toDisplayJson(e.before, 0)} → ${toDisplayJson(e.after, 0)}` : null}
                  </div>
                ))}
              </div>
            ))
          )
        ) : null}
        {tab === 'meta' ? <pre class="raw">{toDisplayJson({ ...frame, text: undefined, b64: undefined, json: undefined })}</pre> : null}
      </div>
    </section>
  );
}
