/**
 * The relay, in the extension's isolated world: page hook <-> background. What the page posts is untrusted, so it
 * is validated (HookToRelay) before it crosses, whether it came on the MessagePort the relay gave the hook or on the
 * window; frames cross the JSON-only port as tagged JSON, in chunks if large.
 */
import { defineContentScript } from 'wxt/utils/define-content-script';
import { startRelay } from '../shell/relay.ts';

export default defineContentScript({
  matches: ['<all_urls>'],
  runAt: 'document_start',
  main() {
    startRelay();
  },
});
