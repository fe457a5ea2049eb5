/** Record / stop / clear, import / export, decode-as, and the frame and dropped counters. */
import { useRef, useState } from 'preact/hooks';
import { usePanel } from './context.ts';
import { download, exportName } from './files.ts';
import { OnDemandSelect } from './on-demand-select.tsx';

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
      <OnDemandSelect
        label="Decode as: connection"
        placeholder="Decode as…"
        value={decodeConn}
        choices={() =>
          [...store.connections().keys()].sort().map((conn) => ({ value: conn, label: `${conn} (${store.protocolOf(conn) ?? '?'})` }))
        }
        onChange={setDecodeConn}
      />
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
      {store.deriving ? (
        <span
          class="badge warn-bg"
          data-testid="deriving"
          title="Protocols, types and state of a loaded file are derived in the background"
        >
          deriving state {Math.floor((100 * store.deriving.done) / Math.max(1, store.deriving.total))}%
        </span>
      ) : null}
      <span class={`badge ${session.dropped ? 'bad-bg' : ''}`} data-testid="dropped-count" title="Frames lost to the buffer caps">
        {session.dropped.toLocaleString()} dropped
      </span>
    </div>
  );
}
