/**
 * Storage: IndexedDB databases / stores / records and the OPFS tree, from on-demand snapshots (live sessions) or
 * the snapshot frames of a recording; the newest snapshot is diffed against the one before it.
 */
import type { RawFrame } from '@syncscope/protocols/core';
import { usePanel } from '../context.ts';
import { diffValues, formatClock, toDisplayJson } from '../format.ts';
import type { StorageSnapshot } from '../session.ts';

/** Snapshot records keyed "db/store/key" (IndexedDB) or by path (OPFS). */
function recordsOf(snapshot: StorageSnapshot): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const frame of snapshot.frames) {
    const value = frame.json as { key?: unknown; value?: unknown; path?: unknown; size?: unknown } | undefined;
    const where = [frame.meta?.db, frame.meta?.store].filter(Boolean).join('/');
    const key = value && typeof value === 'object' && 'key' in value ? toDisplayJson(value.key, 0) : String(value?.path ?? frame.conn);
    out.set(where ? `${where}/${key}` : key, value && typeof value === 'object' && 'value' in value ? value.value : (value ?? frame.text));
  }
  return out;
}

function snapshotsFromFrames(frames: Iterable<RawFrame>): StorageSnapshot[] {
  const byKind: Record<'idb' | 'opfs', RawFrame[]> = { idb: [], opfs: [] };
  for (const frame of frames)
    if (frame.kind === 'snapshot' && (frame.transport === 'idb' || frame.transport === 'opfs')) byKind[frame.transport].push(frame);
  return (['idb', 'opfs'] as const)
    .filter((k) => byKind[k].length)
    .map((kind) => ({ kind, t: byKind[kind][0]?.t ?? 0, frames: byKind[kind] }));
}

export function Storage() {
  const { session } = usePanel();
  const snapshots = session.snapshots.length ? session.snapshots : snapshotsFromFrames(session.store.frames());
  return (
    <div class="scroll pad">
      <div class="toolbar-inline">
        <button type="button" disabled={!session.canSnapshot} onClick={() => session.requestSnapshot('idb')}>
          Snapshot IndexedDB
        </button>
        <button type="button" disabled={!session.canSnapshot} onClick={() => session.requestSnapshot('opfs')}>
          Snapshot OPFS
        </button>
        {!session.canSnapshot ? <span class="muted">Snapshots need a live page; showing the recording's snapshot frames.</span> : null}
      </div>
      {(['idb', 'opfs'] as const).map((kind) => {
        const ofKind = snapshots.filter((s) => s.kind === kind);
        const latest = ofKind[ofKind.length - 1];
        if (!latest) return null;
        const previous = ofKind[ofKind.length - 2];
        const records = recordsOf(latest);
        const before = previous ? recordsOf(previous) : undefined;
        return (
          <section key={kind} class="card" aria-label={kind === 'idb' ? 'IndexedDB' : 'OPFS'}>
            <h3>
              {kind === 'idb' ? 'IndexedDB' : 'OPFS'} <span class="muted">snapshot at {formatClock(latest.t)}</span>{' '}
              <span class="badge">{records.size} entries</span>
            </h3>
            {latest.error ? <div class="error-text">{latest.error}</div> : null}
            <table class="grid">
              <tbody>
                {[...records].slice(0, 1000).map(([key, value]) => {
                  const old = before?.get(key);
                  const status = !before ? '' : !before.has(key) ? 'added' : diffValues(old, value, 1).length ? 'changed' : '';
                  return (
                    <tr key={key} class={status ? `diff-${status}` : ''}>
                      <td>
                        <code>{key}</code>
                      </td>
                      <td>
                        <code>{toDisplayJson(value, 0).slice(0, 300)}</code>
                      </td>
                      <td class="muted">{status}</td>
                    </tr>
                  );
                })}
                {before
                  ? [...before.keys()]
                      .filter((k) => !records.has(k))
                      .map((k) => (
                        <tr key={k} class="diff-removed">
                          <td>
                            <code>{k}</code>
                          </td>
                          <td />
                          <td class="muted">removed</td>
                        </tr>
                      ))
                  : null}
              </tbody>
            </table>
          </section>
        );
      })}
      {snapshots.length === 0 ? <div class="empty">No storage snapshot yet.</div> : null}
    </div>
  );
}
