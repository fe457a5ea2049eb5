/** Record / stop / clear, import / export, decode-as, and the frame and dropped counters. */
import { useRef, useState } from 'preact/hooks';
import { usePanel } from './context.ts';
import { download, exportName } from './files.ts';

export function Toolbar({ onImport }: { onImport: (file: File) => void }) {
  const { session, select, setCursor } = usePanel();
  const store = session.store;
  const fileRef = useRef<HTMLInputElement>(null);
  const [decodeConn, setDecodeConn] = useState('');
  const protocols = store.registry.ids();
  return (
    <div class="toolbar" role="toolbar" aria-label="Session">
      {session.live ? (
        <button
          type="button"
          class={session.recording ? 'recording' : ''}
          aria-pressed={session.recording}
          title={session.recording ? 'Stop recording' : 'Record'}
          onClick={() => session.setRecording(!session.recording)}
        >
          {session.recording ? '■ Stop' : '● Record'}
        </button>
      ) : null}
      <button
        type="button"
        title="Clear all frames"
        onClick={() => {
          select(undefined);
          setCursor(undefined);
          session.clear();
        }}
      >
        Clear
      </button>
      <span class="sep" />
      <button type="button" onClick={() => fileRef.current?.click()} title="Open a session file or a HAR file (or drop it here)">
        Import…
      </button>
      <input
        ref={fileRef}
        type="file"
        accept=".jsonl,.syncscope,.har,.json,application/json"
        hidden
        data-testid="import-input"
        onChange={(e) => {
          const input = e.target as HTMLInputElement;
          const file = input.files?.[0];
          if (file) onImport(file);
          input.value = '';
        }}
      />
      <button
        type="button"
        disabled={store.size === 0}
        onClick={() =>
          download(
            exportName('syncscope.jsonl'),
            store.exportSession(session.origin ? { origin: session.origin } : {}),
            'application/x-ndjson',
          )
        }
      >
        Export session
      </button>
      <button
        type="button"
        disabled={store.size === 0}
        onClick={() => download(exportName('har'), JSON.stringify(store.exportHar().har, null, 1), 'application/json')}
      >
        Export HAR
      </button>
      <span class="sep" />
      <select aria-label="Decode as: connection" value={decodeConn} onChange={(e) => setDecodeConn((e.target as HTMLSelectElement).value)}>
        <option value="">Decode as…</option>
        {[...store.connections().keys()].sort().map((conn) => (
          <option key={conn} value={conn}>
            {conn} ({store.protocolOf(conn) ?? '?'})
          </option>
        ))}
      </select>
      {decodeConn ? (
        <select
          aria-label="Decode as: protocol"
          value={store.registry.overrideOf(decodeConn) ?? 'auto'}
          onChange={(e) => {
            const value = (e.target as HTMLSelectElement).value;
            store.decodeAs(decodeConn, value === 'auto' ? undefined : value);
          }}
        >
          <option value="auto">auto</option>
          {protocols.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      ) : null}
      <span class="spacer" />
      {session.live ? (
        <span class={`badge ${session.connected ? 'good-bg' : ''}`} title={session.origin ?? ''}>
          {session.connected ? 'connected' : 'waiting for page'}
        </span>
      ) : null}
      <span class="badge" data-testid="frame-count">
        {store.size.toLocaleString()} frames
      </span>
      <span class={`badge ${session.dropped ? 'bad-bg' : ''}`} data-testid="dropped-count" title="Frames lost to the buffer caps">
        {session.dropped.toLocaleString()} dropped
      </span>
    </div>
  );
}
