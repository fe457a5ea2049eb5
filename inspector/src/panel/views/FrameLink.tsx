/** A link to a frame by its seq: selects it in Messages and moves the time-travel cursor there. */
import { usePanel } from '../context.ts';

export function FrameLink({ seq }: { seq: number }) {
  const { session, select, setCursor } = usePanel();
  const position = session.store.positionOfSeq(seq);
  if (position === undefined) return <span class="muted">#{seq} (evicted)</span>;
  return (
    <button
      type="button"
      class="link"
      onClick={() => {
        setCursor(position);
        select(position, 'messages');
      }}
    >
      #{seq}
    </button>
  );
}
