/** The overlay's lazy part: the floating, resizable shadow-root host with the panel inside. */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import type { HookHandle } from '../hook/index.ts';
import { Panel } from '../panel/Panel.tsx';
import { PanelSession } from '../panel/session.ts';
import { injectPanelStyles } from '../panel/styles.ts';
import type { OverlayHandle, OverlayOptions } from './index.ts';

const OVERLAY_CSS = `
:host { all: initial; }
.ss-frame { position: fixed; right: 12px; bottom: 12px; width: min(960px, calc(100vw - 24px)); height: min(520px, calc(100vh - 24px));
  min-width: 360px; min-height: 200px; resize: both; overflow: hidden; display: flex; flex-direction: column; z-index: 2147483647;
  border: 1px solid #8888; border-radius: 8px; box-shadow: 0 8px 30px #0004; background: #fff; }
.ss-bar { display: flex; align-items: center; gap: 8px; padding: 0 6px 0 10px; height: 26px; background: #1a73e8; color: #fff;
  font: 600 12px system-ui, sans-serif; cursor: move; user-select: none; flex: none; }
.ss-bar span { flex: 1; }
.ss-bar button { all: unset; cursor: pointer; padding: 0 6px; font-size: 14px; line-height: 20px; border-radius: 3px; }
.ss-bar button:hover { background: #fff3; }
.ss-body { flex: 1; min-height: 0; }
.ss-launcher { all: unset; position: fixed; right: 12px; bottom: 12px; z-index: 2147483647; cursor: pointer; padding: 6px 12px;
  border-radius: 16px; background: #1a73e8; color: #fff; font: 600 12px system-ui, sans-serif; box-shadow: 0 4px 14px #0004; }
`;

function Overlay({
  session,
  theme,
  initiallyOpen,
  onClose,
  api,
}: {
  session: PanelSession;
  theme: 'light' | 'dark' | 'auto';
  initiallyOpen: boolean;
  onClose: () => void;
  api: { toggle?: (open?: boolean) => void };
}) {
  const [open, setOpen] = useState(initiallyOpen);
  const [offset, setOffset] = useState<{ right: number; bottom: number }>({ right: 12, bottom: 12 });
  api.toggle = (next) => setOpen((o) => next ?? !o);
  if (!open) {
    return (
      <button
        type="button"
        class="ss-launcher"
        style={{ right: `${offset.right}px`, bottom: `${offset.bottom}px` }}
        onClick={() => setOpen(true)}
      >
        syncscope {session.store.size ? `· ${session.store.size}` : ''}
      </button>
    );
  }
  const drag = (down: PointerEvent) => {
    if ((down.target as HTMLElement).closest('button')) return;
    const start = { x: down.clientX, y: down.clientY, ...offset };
    const move = (e: PointerEvent) =>
      setOffset({ right: Math.max(0, start.right - (e.clientX - start.x)), bottom: Math.max(0, start.bottom - (e.clientY - start.y)) });
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  return (
    <div class="ss-frame" style={{ right: `${offset.right}px`, bottom: `${offset.bottom}px` }} data-testid="syncscope-overlay">
      <div class="ss-bar" onPointerDown={drag}>
        <span>syncscope</span>
        <button type="button" title="Minimize" aria-label="Minimize" onClick={() => setOpen(false)}>
          –
        </button>
        <button type="button" title="Close" aria-label="Close syncscope" onClick={onClose}>
          ×
        </button>
      </div>
      <div class="ss-body">
        <Panel session={session} theme={theme} />
      </div>
    </div>
  );
}

export function mountOverlayUi(hook: HookHandle, options: OverlayOptions, unsubscribe: () => void): OverlayHandle {
  const host = document.createElement('syncscope-overlay');
  const shadow = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = OVERLAY_CSS;
  shadow.append(style);
  injectPanelStyles(shadow);
  const container = document.createElement('div');
  shadow.append(container);
  (options.parent ?? document.body).append(host);

  const session = new PanelSession({ send: (command) => hook.command(command) });
  session.store.addRedactions(hook.redactions());
  session.setConnected(true, location.href);
  const api: { toggle?: (open?: boolean) => void } = {};
  const unmount = () => {
    unsubscribe();
    render(null, container);
    host.remove();
  };
  render(
    <Overlay session={session} theme={options.theme ?? 'auto'} initiallyOpen={options.open ?? true} onClose={unmount} api={api} />,
    container,
  );
  return { session, host, toggle: (open) => api.toggle?.(open), unmount };
}
