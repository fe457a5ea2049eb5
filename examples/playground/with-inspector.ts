/**
 * Injected first into every demo page the playground serves: the page hook is installed before the app opens a
 * socket, and the overlay (the syncscope panel inside the page) waits as a small button until it is opened.
 * With the extension loaded as well, both read the same hook.
 */
import { installHook } from '../../inspector/src/hook/index.ts';
import { mountOverlay } from '../../inspector/src/overlay/index.ts';

const hook = installHook({ record: true });
const mount = () => void mountOverlay({ hook, open: false, force: true });
if (document.body) mount();
else document.addEventListener('DOMContentLoaded', mount, { once: true });
