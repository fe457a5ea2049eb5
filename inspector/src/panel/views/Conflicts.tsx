/** Conflicts: both sides, the rule and the winner, each linked to its frames. */
import { useModels, usePanel } from '../context.ts';
import { toDisplayJson } from '../format.ts';
import { FrameLink } from './FrameLink.tsx';

export function Conflicts() {
  const state = usePanel();
  const models = useModels(state);
  const conflicts = Object.entries(models).flatMap(([protocol, model]) => model.conflicts.map((c, i) => ({ protocol, c, i })));
  if (conflicts.length === 0) return <div class="empty">No conflicts{state.cursor !== undefined ? ' up to this moment' : ''}.</div>;
  return (
    <div class="scroll pad">
      {conflicts.map(({ protocol, c, i }) => (
        <section key={`${protocol}-${i}`} class="card conflict" aria-label={`Conflict on ${c.entity}`}>
          <h3>
            <code>{c.entity}</code>
            {c.field ? (
              <>
                {' '}
                · <code>{c.field}</code>
              </>
            ) : null}{' '}
            <span class="badge">{c.rule}</span> <span class="muted">{protocol}</span>
          </h3>
          <div class="sides">
            <div class={`side ${c.winner === 'local' ? 'winner' : 'loser'}`}>
              <h4>Local {c.winner === 'local' ? '✓ winner' : ''}</h4>
              <pre>{toDisplayJson(c.local)}</pre>
            </div>
            <div class={`side ${c.winner === 'remote' ? 'winner' : 'loser'}`}>
              <h4>Remote {c.winner === 'remote' ? '✓ winner' : ''}</h4>
              <pre>{toDisplayJson(c.remote)}</pre>
            </div>
          </div>
          {c.winner === 'none' ? <div class="warn">Neither side won: left for a person to resolve.</div> : null}
          {c.detail ? <div class="muted">{c.detail}</div> : null}
          <div>
            Frames:{' '}
            {c.frames.map((seq) => (
              <FrameLink key={seq} seq={seq} />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
