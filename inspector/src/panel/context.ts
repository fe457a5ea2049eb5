/** The state every view shares: the session, a render version bumped on changes, the time-travel cursor, selection. */
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { PanelSession } from './session.ts';

export type TabId = 'messages' | 'queues' | 'journals' | 'conflicts' | 'entities' | 'storage';

export interface PanelState {
  session: PanelSession;
  /** Bumped (at most once per animation frame) whenever the store or session changes. */
  version: number;
  /** Time travel: the absolute position views show the state after; undefined = live (the latest). */
  cursor: number | undefined;
  setCursor: (position: number | undefined) => void;
  selected: number | undefined;
  /** Selects a frame (absolute position) and optionally switches tab. */
  select: (position: number | undefined, tab?: TabId) => void;
}

export const PanelContext = createContext<PanelState | undefined>(undefined);

export function usePanel(): PanelState {
  const state = useContext(PanelContext);
  if (!state) throw new Error('a panel view was rendered outside <Panel>');
  return state;
}

/** Re-renders on store and session changes, coalesced to one render per animation frame so floods stay cheap. */
export function useVersion(session: PanelSession): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let scheduled = false;
    const bump = () => {
      if (scheduled) return;
      scheduled = true;
      const run = () => {
        scheduled = false;
        setVersion((v) => v + 1);
      };
      if (typeof requestAnimationFrame === 'function' && document.visibilityState !== 'hidden') requestAnimationFrame(run);
      else setTimeout(run, 16);
    };
    const offStore = session.store.subscribe(bump);
    const offSession = session.subscribe(bump);
    // Changes between the first render and this effect would otherwise wait for the next one.
    bump();
    return () => {
      offStore();
      offSession();
    };
  }, [session]);
  return version;
}

/** Position the views show: the cursor, or the last frame when live. */
export function viewPosition(state: PanelState): number {
  return state.cursor ?? state.session.store.end - 1;
}

/** The common models (per protocol) at the cursor, or now. */
export function useModels(state: PanelState) {
  return state.session.modelsAt(state.cursor);
}

/** The time "now" means at the cursor: the cursor frame's time, or the wall clock for a live session. */
export function nowAt(state: PanelState): number {
  const store = state.session.store;
  if (state.cursor !== undefined) return store.frame(state.cursor)?.t ?? Date.now();
  if (state.session.live && state.session.recording) return Date.now();
  return store.frame(store.end - 1)?.t ?? Date.now();
}
