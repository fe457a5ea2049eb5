/**
 * The panel page: in DevTools it inspects `devtools.inspectedWindow.tabId`; opened as a tab (tests, or to keep it
 * beside the app) it reads `?tabId=`. Everything from the background is validated before use.
 */
import {
  BackgroundToPanel,
  BRIDGE_VERSION,
  ChunkAssembler,
  eventFromJson,
  PANEL_PORT,
  type PanelToBackground,
  parseMessage,
  SOURCE,
  splitForChannel,
} from '@syncscope/inspector/bridge';
import { mountPanel, PanelSession } from '@syncscope/inspector/panel';
import { browser } from 'wxt/browser';

const params = new URLSearchParams(location.search);
const inspected = browser.devtools?.inspectedWindow?.tabId;
const tabId = inspected ?? Number(params.get('tabId'));
const themeName = (browser.devtools?.panels as { themeName?: string } | undefined)?.themeName;
const theme =
  params.get('theme') === 'dark' || themeName === 'dark' ? 'dark' : params.get('theme') === 'light' || themeName ? 'light' : 'auto';

const port = browser.runtime.connect({ name: PANEL_PORT });
const post = (message: PanelToBackground) => {
  for (const part of splitForChannel(message, SOURCE.panel)) port.postMessage(part);
};
const session = new PanelSession({
  send: (command) => post({ source: SOURCE.panel, v: BRIDGE_VERSION, type: 'command', tabId, command }),
});
(globalThis as { syncscope?: unknown }).syncscope = { session, tabId };

const assembler = new ChunkAssembler();
port.onMessage.addListener((data: unknown) => {
  const assembled = assembler.accept(data);
  if (assembled.kind === 'error') session.lastError = assembled.error;
  if (assembled.kind !== 'message') return;
  const parsed = parseMessage(BackgroundToPanel, assembled.message);
  if (!parsed.ok || parsed.message.tabId !== tabId) return;
  const message = parsed.message;
  if (message.type === 'tab') session.setConnected(message.state !== 'disconnected', message.url);
  else session.accept(eventFromJson(message.event));
});

if (Number.isInteger(tabId)) post({ source: SOURCE.panel, v: BRIDGE_VERSION, type: 'connect', tabId });
else session.lastError = 'no tab to inspect: open this panel from DevTools, or pass ?tabId=';

mountPanel(document.getElementById('app') as HTMLElement, session, { theme, title: `tab ${tabId}` });
