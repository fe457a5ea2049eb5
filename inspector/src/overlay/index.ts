/**
 * @syncscope/inspector/overlay — the panel floating in the app's own page (mobile web, kiosks, browsers without the
 * extension, screenshots in bug reports).
 *
 *   import { mountOverlay } from '@syncscope/inspector/overlay';
 *   const overlay = await mountOverlay();          // undefined in a production build unless { force: true }
 *   overlay?.toggle(); overlay?.unmount();
 *
 * The page hook (small) is installed at once, so sockets the app opens right after this call are seen; the panel
 * (Preact, the table, the dissectors) loads lazily. It lives in a shadow root: the app's CSS and the panel's never meet.
 */
import type { HookEvent, HookHandle } from '../hook/index.ts';
import { installHook } from '../hook/index.ts';
import type { PanelSession } from '../panel/session.ts';

export interface OverlayOptions {
  /** Mount even in a production build. */
  force?: boolean;
  /** Start open (default) or as the small launcher button. */
  open?: boolean;
  theme?: 'light' | 'dark' | 'auto';
  /** The hook to read from; default: installHook() in this window. */
  hook?: HookHandle;
  /** Where the host element goes; default document.body. */
  parent?: HTMLElement;
}

export interface OverlayHandle {
  readonly session: PanelSession;
  readonly host: HTMLElement;
  toggle(open?: boolean): void;
  unmount(): void;
}

/** True in a production build: Vite's import.meta.env.PROD, or NODE_ENV=production for other bundlers. */
export function isProductionBuild(): boolean {
  const env = (import.meta as { env?: { PROD?: boolean } }).env;
  if (env?.PROD === true) return true;
  const processEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return processEnv?.NODE_ENV === 'production';
}

export async function mountOverlay(options: OverlayOptions = {}): Promise<OverlayHandle | undefined> {
  if (isProductionBuild() && !options.force) return undefined;
  const hook = options.hook ?? installHook();
  // Frames that arrive while the panel loads wait in the hook's buffer (subscribing starts capture).
  const early: HookEvent[] = [];
  let deliver = (event: HookEvent): void => {
    early.push(event);
  };
  const unsubscribe = hook.subscribe((event) => deliver(event));
  const { mountOverlayUi } = await import('./ui.tsx');
  const handle = mountOverlayUi(hook, options, unsubscribe);
  deliver = (event) => handle.session.accept(event);
  for (const event of early.splice(0)) handle.session.accept(event);
  hook.command({ type: 'ping' });
  return handle;
}
