/**
 * Names every context uses on the wire. Kept free of zod so the page hook (which must stay tiny) can import them;
 * the schemas in messages.ts are built from the same constants.
 */
export const BRIDGE_VERSION = 1;

/** Who sent a message: each context tags what it posts, and each receiver accepts only the tag it expects. */
export const SOURCE = {
  hook: 'syncscope-hook',
  worker: 'syncscope-worker',
  relay: 'syncscope-relay',
  background: 'syncscope-background',
  panel: 'syncscope-panel',
  remote: 'syncscope-remote',
} as const;

/**
 * The hook <-> relay channel. On the window, the relay offers the hook a MessagePort (a message of type `port`,
 * the port transferred with it); either end closing the channel says so on it (type `close`).
 */
export const HOOK_PORT = { offer: 'port', close: 'close' } as const;

/** The BroadcastChannel a worker's hook forwards its frames on; the page hook listens and never taps it. */
export const WORKER_BRIDGE_CHANNEL = 'syncscope-bridge-v1';

/** The runtime port name between content script and background, and between panel and background. */
export const RELAY_PORT = 'syncscope-relay';
export const PANEL_PORT = 'syncscope-panel';
