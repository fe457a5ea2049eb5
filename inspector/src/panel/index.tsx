/**
 * @syncscope/inspector/panel — the one panel UI all three shells mount (extension, overlay, standalone page).
 *
 *   const session = new PanelSession({ store?, send? });   // feed it: session.accept(hookEvent)
 *   const unmount = mountPanel(element, session, { theme: 'auto' | 'light' | 'dark', title? });
 */
import { render } from 'preact';
import { Panel, type Theme } from './Panel.tsx';
import type { PanelSession } from './session.ts';
import { injectPanelStyles } from './styles.ts';

export { type ImportOutcome, importFile } from './files.ts';
export { Panel, type Theme } from './Panel.tsx';
export { PanelSession, type StorageSnapshot } from './session.ts';
export { injectPanelStyles, PANEL_CSS } from './styles.ts';

export interface MountOptions {
  theme?: Theme;
  title?: string;
}

/** Renders the panel into `element` (its styles go to the element's document or shadow root). Returns the unmount. */
export function mountPanel(element: HTMLElement, session: PanelSession, options: MountOptions = {}): () => void {
  const root = element.getRootNode();
  injectPanelStyles(root instanceof ShadowRoot ? root : element.ownerDocument);
  render(<Panel session={session} {...options} />, element);
  return () => render(null, element);
}
