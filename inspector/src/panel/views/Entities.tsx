/** Entities: the state of every entity as derived from the traffic, and the history of the selected one. */
import { useState } from 'preact/hooks';
import { useModels, usePanel } from '../context.ts';
import { diffValues, formatClock, toDisplayJson } from '../format.ts';
import { ValueTree } from '../tree.tsx';
import { FrameLink } from './FrameLink.tsx';

const MAX_LIST = 2000;
const MAX_HISTORY = 30;

export function Entities() {
  const state = usePanel();
  const store = state.session.store;
  const models = useModels(state);
  const [filter, setFilter] = useState('');
  const [chosen, setChosen] = useState<string | undefined>();
  const all = Object.entries(models).flatMap(([protocol, model]) =>
    Object.entries(model.entities).map(([id, entity]) => ({ key: `${protocol}\u0000${id}`, protocol, id, entity })),
  );
  const needle = filter.toLowerCase();
  const list = all.filter((e) => !needle || e.id.toLowerCase().includes(needle) || e.entity.type.toLowerCase().includes(needle));
  const current = all.find((e) => e.key === chosen);

  /** Walks back through the frames that changed the entity: each step is one checkpointed lookup. */
  function history(protocol: string, id: string) {
    const out: Array<{ seq: number; t: number; value: unknown; before: unknown }> = [];
    let seq = current?.entity.lastFrame;
    while (seq !== undefined && out.length < MAX_HISTORY) {
      const position = store.positionOfSeq(seq);
      if (position === undefined) break;
      const value = state.session.modelsAt(position)[protocol]?.entities[id]?.value;
      const previous = position > store.start ? state.session.modelsAt(position - 1)[protocol]?.entities[id] : undefined;
      out.push({ seq, t: store.frame(position)?.t ?? 0, value, before: previous?.value });
      seq = previous?.lastFrame !== undefined && previous.lastFrame < seq ? previous.lastFrame : undefined;
    }
    return out;
  }

  if (all.length === 0)
    return <div class="empty">No entities derived from this session{state.cursor !== undefined ? ' at this moment' : ''}.</div>;
  return (
    <div class="split">
      <div class="list-pane">
        <input
          type="search"
          placeholder="Filter entities"
          aria-label="Filter entities"
          value={filter}
          onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
        />
        <ul class="list">
          {list.slice(0, MAX_LIST).map((e) => (
            <li key={e.key}>
              <button type="button" class={e.key === chosen ? 'selected' : ''} onClick={() => setChosen(e.key)}>
                <span class="muted">{e.entity.type}</span> <code>{e.id}</code>
                {e.entity.deleted ? <span class="badge bad-bg">deleted</span> : null}
              </button>
            </li>
          ))}
          {list.length > MAX_LIST ? <li class="muted">… {list.length - MAX_LIST} more: filter to narrow</li> : null}
        </ul>
      </div>
      <section class="detail scroll pad" aria-label="Entity">
        {current ? (
          <>
            <h3>
              {current.entity.type} <code>{current.id}</code> <span class="muted">{current.protocol}</span>
              {current.entity.version !== undefined ? <span class="badge">v {String(current.entity.version)}</span> : null}
            </h3>
            <ValueTree value={current.entity.value} />
            <h4>History</h4>
            {history(current.protocol, current.id).map((h) => (
              <div key={h.seq} class="history">
                <FrameLink seq={h.seq} /> <span class="muted">{formatClock(h.t)}</span>
                {diffValues(h.before, h.value, 20).map((d) => (
                  <div key={d.path} class={`diff-line diff-${d.kind}`}>
                    <code>{d.path}</code>{' '}
                    {d.kind === 'changed'
                      ? `${toDisplayJson(d.before, 0)} → ${toDisplayJson(d.after, 0)}`
                      : toDisplayJson(d.kind === 'added' ? d.after : d.before, 0)}
                  </div>
                ))}
              </div>
            ))}
          </>
        ) : (
          <div class="empty">Choose an entity.</div>
        )}
      </section>
    </div>
  );
}
