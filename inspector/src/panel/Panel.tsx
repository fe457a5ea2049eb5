/** The panel: toolbar, timeline, tabs and the current view, plus drag-and-drop import. Shells mount it with mountPanel. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { PanelContext, type PanelState, type TabId, usePanel, useVersion } from './context.ts';
import { importFile } from './files.ts';
import type { PanelSession } from './session.ts';
import { Toolbar } from './Toolbar.tsx';
import { Conflicts } from './views/Conflicts.tsx';
import { Entities } from './views/Entities.tsx';
import { Journals } from './views/Journals.tsx';
import { Messages } from './views/Messages.tsx';
import { Queues } from './views/Queues.tsx';
import { Storage } from './views/Storage.tsx';
import { Timeline } from './views/Timeline.tsx';

export type Theme = 'light' | 'dark' | 'auto';

export interface PanelProps {
  session: PanelSession;
  theme?: Theme;
  /** Shown at the left of the tab bar (e.g. the inspected page). */
  title?: string;
  initialTab?: TabId;
}

const TABS: Array<{ id: TabId; label: string }> = [
  { id: 'messages', label: 'Messages' },
  { id: 'queues', label: 'Queues' },
  { id: 'journals', label: 'Journals' },
  { id: 'conflicts', label: 'Conflicts' },
  { id: 'entities', label: 'Entities' },
  { id: 'storage', label: 'Storage' },
];

type ImportState = { progress: number; name: string } | { error: string } | { done: string } | undefined;

export function Panel({ session, theme = 'auto', title, initialTab = 'messages' }: PanelProps) {
  const version = useVersion(session);
  const [tab, setTab] = useState<TabId>(initialTab);
  const [cursor, setCursorState] = useState<number | undefined>(undefined);
  const [selected, setSelected] = useState<number | undefined>(undefined);
  const [importing, setImporting] = useState<ImportState>(undefined);
  const [dragging, setDragging] = useState(false);
  const dark = useDark(theme);
  const store = session.store;

  // Positions can leave the store (eviction, clear): drop a cursor or selection that no longer exists.
  const validCursor = cursor !== undefined && cursor >= store.start && cursor < store.end ? cursor : undefined;
  const validSelected = selected !== undefined && selected >= store.start && selected < store.end ? selected : undefined;

  const state: PanelState = useMemo(
    () => ({
      session,
      version,
      cursor: validCursor,
      setCursor: (p) => setCursorState(p),
      selected: validSelected,
      select: (p, to) => {
        setSelected(p);
        if (to) setTab(to);
      },
    }),
    [session, version, validCursor, validSelected],
  );

  const runImport = async (file: File) => {
    setCursorState(undefined);
    setSelected(undefined);
    setImporting({ progress: 0, name: file.name });
    const wasRecording = session.recording;
    if (session.live && wasRecording) session.setRecording(false);
    const outcome = await importFile(store, file, (progress) => setImporting({ progress, name: file.name }));
    setImporting(
      outcome.ok
        ? {
            done: `${file.name}: ${outcome.frames.toLocaleString()} frames${outcome.warnings.length ? ` (${outcome.warnings.length} skipped: ${outcome.warnings[0]})` : ''}`,
          }
        : { error: outcome.error },
    );
  };

  const onKeyDown = (e: KeyboardEvent) => {
    // Alt+1..6 switch tabs from anywhere in the panel.
    const index = Number(e.key) - 1;
    if (e.altKey && index >= 0 && index < TABS.length) {
      setTab((TABS[index] as { id: TabId }).id);
      e.preventDefault();
    }
  };

  return (
    <PanelContext.Provider value={state}>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the root catches dropped files and tab shortcuts */}
      <div
        class={`syncscope-panel ${dark ? 'theme-dark' : 'theme-light'}`}
        onKeyDown={onKeyDown}
        onDragOver={(e) => {
          if (e.dataTransfer?.types.includes('Files')) {
            e.preventDefault();
            setDragging(true);
          }
        }}
        onDragLeave={(e) => {
          if (e.target === e.currentTarget) setDragging(false);
        }}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          const file = e.dataTransfer?.files[0];
          if (file) void runImport(file);
        }}
      >
        <Toolbar onImport={(file) => void runImport(file)} />
        {importing ? <ImportBanner state={importing} onClose={() => setImporting(undefined)} /> : null}
        {session.lastError ? <div class="banner error-text">{session.lastError}</div> : null}
        <Timeline />
        <div class="tabs" role="tablist" aria-label="Views">
          {title ? <span class="title">{title}</span> : null}
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              aria-selected={tab === t.id}
              class={tab === t.id ? 'active' : ''}
              onClick={() => setTab(t.id)}
            >
              {t.label}
              <TabCount id={t.id} />
            </button>
          ))}
        </div>
        <main class="view" data-view={tab}>
          {tab === 'messages' ? <Messages /> : null}
          {tab === 'queues' ? <Queues /> : null}
          {tab === 'journals' ? <Journals /> : null}
          {tab === 'conflicts' ? <Conflicts /> : null}
          {tab === 'entities' ? <Entities /> : null}
          {tab === 'storage' ? <Storage /> : null}
        </main>
        {dragging ? <div class="drop-zone">Drop a session file (.syncscope.jsonl) or a HAR file</div> : null}
      </div>
    </PanelContext.Provider>
  );
}

function TabCount({ id }: { id: TabId }) {
  const { session, cursor } = usePanel();
  if ((id !== 'queues' && id !== 'conflicts') || session.store.size === 0) return null;
  const models = session.modelsAt(cursor);
  let n = 0;
  for (const model of Object.values(models)) {
    if (id === 'queues') for (const items of Object.values(model.queues)) n += items.length;
    if (id === 'conflicts') n += model.conflicts.length;
  }
  if (n === 0) return null;
  return <span class={`count-pill ${id === 'conflicts' ? 'bad-bg' : 'warn-bg'}`}>{n}</span>;
}

function ImportBanner({ state, onClose }: { state: NonNullable<ImportState>; onClose: () => void }) {
  if ('progress' in state) {
    return (
      <div class="banner" role="status">
        Importing {state.name}… <progress max={1} value={state.progress} /> {Math.round(state.progress * 100)}%
      </div>
    );
  }
  return (
    <div class={`banner ${'error' in state ? 'error-text' : ''}`} role={'error' in state ? 'alert' : 'status'} data-testid="import-result">
      {'error' in state ? `Import failed: ${state.error}` : `Imported ${state.done}`}
      <button type="button" class="icon" aria-label="Dismiss" onClick={onClose}>
        ×
      </button>
    </div>
  );
}

function useDark(theme: Theme): boolean {
  const query = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;
  const [systemDark, setSystemDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const on = () => setSystemDark(query.matches);
    query.addEventListener('change', on);
    return () => query.removeEventListener('change', on);
  }, [query]);
  return theme === 'dark' || (theme === 'auto' && systemDark);
}
