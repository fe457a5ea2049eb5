/**
 * The page hook, in the page's own JavaScript world, before any page script runs: it wraps WebSocket, fetch, XHR,
 * BroadcastChannel, workers and IndexedDB and sends what it sees to the relay, on a MessagePort the relay offers
 * on the window (see inspector/src/hook/bridge.ts). It captures nothing until a panel says it listens.
 */
import { installHook } from '@syncscope/inspector/hook';
import { defineContentScript } from 'wxt/utils/define-content-script';

export default defineContentScript({
  matches: ['<all_urls>'],
  world: 'MAIN',
  runAt: 'document_start',
  main() {
    installHook();
  },
});
