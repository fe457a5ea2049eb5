/** Journals: client and server cursors / LSN ranges side by side on one axis, with the gap between peers. */
import type { Journal } from '@syncscope/protocols/core';
import { useModels, usePanel } from '../context.ts';
import { FrameLink } from './FrameLink.tsx';

interface Entry {
  name: string;
  journal: Journal;
}

/** The journal's extent on the axis: a range, or a single numeric cursor. */
function extent(j: Journal): { first: number; last: number } | undefined {
  if (j.range) return j.range;
  if (typeof j.cursor === 'number') return { first: j.cursor, last: j.cursor };
  return undefined;
}

function describe(j: Journal): string {
  if (j.range) return `[${j.range.first} … ${j.range.last}]`;
  if (j.cursor !== undefined && j.cursor !== null) return `cursor ${j.cursor}`;
  return 'empty';
}

export function Journals() {
  const state = usePanel();
  const models = useModels(state);
  const groups = Object.entries(models)
    .map(([protocol, model]) => ({ protocol, entries: Object.entries(model.journals).map(([name, journal]) => ({ name, journal })) }))
    .filter((g) => g.entries.length > 0);
  if (groups.length === 0)
    return <div class="empty">No journals or cursors in this session{state.cursor !== undefined ? ' at this moment' : ''}.</div>;
  return (
    <div class="scroll pad">
      {groups.map(({ protocol, entries }) => (
        <JournalGroup key={protocol} protocol={protocol} entries={entries} />
      ))}
    </div>
  );
}

function JournalGroup({ protocol, entries }: { protocol: string; entries: Entry[] }) {
  const extents = entries.map((e) => extent(e.journal)).filter((x) => x !== undefined);
  const lo = Math.min(...extents.map((x) => x.first));
  const hi = Math.max(...extents.map((x) => x.last), lo + 1);
  const x = (v: number) => ((v - lo) / (hi - lo)) * 100;
  const byName = new Map(entries.map((e) => [e.name, e.journal]));
  const sides = (['client', 'server'] as const).map((side) => entries.filter((e) => e.journal.side === side));
  return (
    <section class="card" aria-label={`Journals of ${protocol}`}>
      <h3>{protocol}</h3>
      <div class="journals">
        {sides.map((list, i) => (
          <div key={i === 0 ? 'client' : 'server'} class="journal-side">
            <h4>{i === 0 ? 'Client' : 'Server'}</h4>
            {list.length === 0 ? <div class="muted">none</div> : null}
            {list.map(({ name, journal }) => {
              const e = extent(journal);
              const peer = journal.peer ? byName.get(journal.peer) : undefined;
              const pe = peer ? extent(peer) : undefined;
              const gap = e && pe ? pe.last - e.last : undefined;
              return (
                <div key={name} class="journal" data-journal={name}>
                  <div class="journal-label">
                    <code>{name}</code> <span>{describe(journal)}</span>{' '}
                    {gap !== undefined ? (
                      <span class={`badge ${gap > 0 ? 'warn-bg' : 'good-bg'}`}>
                        {gap > 0 ? `behind by ${gap}` : gap < 0 ? `ahead by ${-gap}` : 'in sync'}
                      </span>
                    ) : null}{' '}
                    <FrameLink seq={journal.lastFrame} />
                  </div>
                  <div class="track" aria-hidden="true">
                    {e ? (
                      <div
                        class={`range range-${journal.side}`}
                        style={{ left: `${x(e.first)}%`, width: `max(3px, ${x(e.last) - x(e.first)}%)` }}
                        title={describe(journal)}
                      />
                    ) : null}
                    {e && pe && gap !== undefined && gap !== 0 ? (
                      <div
                        class="gap"
                        style={{ left: `${x(Math.min(e.last, pe.last))}%`, width: `${Math.abs(x(pe.last) - x(e.last))}%` }}
                        title={`gap ${gap}`}
                      />
                    ) : null}
                  </div>
                </div>
              );
            })}
          </div>
        ))}
      </div>
      {extents.length ? (
        <div class="axis muted">
          <span>{lo}</span>
          <span>{hi}</span>
        </div>
      ) : null}
    </section>
  );
}
