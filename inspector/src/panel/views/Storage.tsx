/**
 * Storage: IndexedDB databases / stores / records and the OPFS tree, from on-demand snapshots (live sessions) or
 * the snapshot frames of a recording; the newest snapshot is diffed against the one before it.
 */
import type { RawFrame } from '@syncscope/protocols/core';
import { usePanel } from '../context.ts';
import { diffValues, formatClock, toDisplayJson } from '../format.ts';
import type { StorageSnapshot } from '../session.ts';

/**
 * Snapshot entries keyed "db/store/key" (IndexedDB: frames of {db, store, records: [{key, value}]}) or by path
 * (OPFS: frames of {tree: [{path, kind, size}]}); a frame of another shape counts as one entry.
 */
function recordsOf(snapshot: StorageSnapshot): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const frame of snapshot.frames) {
    const body = frame.json as { records?: unknown; tree?: unknown; store?: unknown; db?: unknown } | undefined;
    const where = [frame.meta?.db ?? body?.db, frame.meta?.store ?? body?.store].filter((x) => typeof x === 'string').join('/');
    if (Array.isArray(body?.records)) {
      for (const record of body.records as Array<{ key?: unknown; value?: unknown }>)
        out.set(`${where}/${toDisplayJson(record.key, 0)}`, record.value);
    } else if (Array.isArray(body?.tree)) {
      for (const entry of body.tree as Array<{ path?: unknown; kind?: unknown; size?: unknown }>) {
        out.set(String(entry.path), entry.kind === 'directory' ? '(directory)' : { size: entry.size });
      }
    } else out.set(where || `#${frame.seq}`, body ?? frame.text ?? frame.b64);
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
                      <td class="muted">{status === 'changed' ? `changed, was ${toDisplayJson(old, 0).slice(0, 120)}` : status}</td>
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
