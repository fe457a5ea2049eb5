/**
 * Every message that crosses a context boundary, as a zod schema named by its direction. Each carries a source tag
 * and the bridge version; the receiver validates it (`parseMessage`) before use, because the page is untrusted.
 *
 *   page hook  --HookToRelay-->  content script  --RelayToBackground-->  background  --BackgroundToPanel-->  panel
 *   panel  --PanelToBackground-->  background  --BackgroundToRelay-->  content script  --RelayToHook-->  page hook
 *   worker hook  --WorkerToPage (BroadcastChannel)-->  page hook
 *   Node taps  --RemoteToPanel (WebSocket)-->  standalone panel / remote sink
 *
 * Frames between the page and the content script travel by structured clone on a MessageChannel of their own, which
 * the relay offers the hook on the window (RelayPortOffer); the window carries only that handshake, and the hook's
 * hello and commands before a port exists (see inspector/src/hook/bridge.ts). Runtime ports
 * and WebSockets are JSON-only: there a frame's `json` payload is tagged JSON (see wire.ts), and any message bigger
 * than a port allows travels as Chunk messages (see chunk.ts).
 */
import { RawFrame } from '@syncscope/protocols/core';
import { z } from 'zod';
import { BRIDGE_VERSION, HOOK_PORT, SOURCE } from './constants.ts';

const v = z.literal(BRIDGE_VERSION);
const id = z.string().min(1).max(200);

// ---- commands (the panel asks, the hook does) ----

export const RedactionConfig = z.object({
  /** Header names (case-insensitive) whose values are replaced. */
  headers: z.array(z.string()).optional(),
  /** Field-name patterns (regular expression source, case-insensitive) whose values are replaced. */
  fields: z.array(z.string()).optional(),
  /** Replace JWT-shaped strings anywhere in payloads. */
  jwt: z.boolean().optional(),
});
export type RedactionConfig = z.infer<typeof RedactionConfig>;

export const HookCommand = z.discriminatedUnion('type', [
  /** Someone is (or no longer is) looking: capture pauses when nobody listens and recording is off. */
  z.object({ type: z.literal('listen'), on: z.boolean() }),
  z.object({ type: z.literal('record'), on: z.boolean() }),
  z.object({ type: z.literal('snapshot-idb'), requestId: id, maxRecords: z.number().int().positive().optional() }),
  z.object({
    type: z.literal('snapshot-opfs'),
    requestId: id,
    /** A file whose bytes to read; absent: the directory tree with sizes. */
    path: z.string().optional(),
    maxBytes: z.number().int().positive().optional(),
  }),
  z.object({ type: z.literal('redaction'), config: RedactionConfig }),
  z.object({ type: z.literal('ping') }),
]);
export type HookCommand = z.infer<typeof HookCommand>;
/** What a panel asks a hook, whichever way it travels (PanelToBackground -> BackgroundToRelay -> RelayToHook). */
export const PanelToHook = HookCommand;
export type PanelToHook = HookCommand;

// ---- events (the hook reports) ----

export const HookStatus = z.object({
  capturing: z.boolean(),
  recording: z.boolean(),
  /** Frames waiting in the hook's ring buffer. */
  buffered: z.number().int().nonnegative(),
  /** Frames the hook's ring buffer dropped since it was installed. */
  dropped: z.number().int().nonnegative(),
});
export type HookStatus = z.infer<typeof HookStatus>;

export const HookEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    url: z.string(),
    context: z.enum(['page', 'worker', 'node']),
    /** What the taps redact, for the recording header. */
    redactions: z.array(z.string()),
    status: HookStatus,
  }),
  /** A batch of frames; `dropped` is the hook's running total, so a receiver can show the gap. */
  z.object({ type: z.literal('frames'), frames: z.array(RawFrame), dropped: z.number().int().nonnegative() }),
  /** One chunk of an on-demand snapshot; `done` on the last. Snapshot frames are kind 'snapshot'. */
  z.object({
    type: z.literal('snapshot'),
    requestId: id,
    kind: z.enum(['idb', 'opfs']),
    index: z.number().int().nonnegative(),
    done: z.boolean(),
    frames: z.array(RawFrame),
    error: z.string().optional(),
  }),
  z.object({ type: z.literal('status'), status: HookStatus }),
  /** A tap caught its own bug; reported so it can be fixed, never thrown into the app. */
  z.object({ type: z.literal('tap-error'), tap: z.string(), message: z.string() }),
]);
export type HookEvent = z.infer<typeof HookEvent>;
/** What a hook reports, whichever way it travels (HookToRelay -> RelayToBackground -> BackgroundToPanel). */
export const HookToPanel = HookEvent;
export type HookToPanel = HookEvent;

// ---- envelopes, one per direction ----

export const HookToRelay = z.object({ source: z.literal(SOURCE.hook), v, event: HookEvent });
export type HookToRelay = z.infer<typeof HookToRelay>;

export const RelayToHook = z.object({ source: z.literal(SOURCE.relay), v, command: HookCommand });
export type RelayToHook = z.infer<typeof RelayToHook>;

/** On the window, with exactly one MessagePort transferred: the relay's channel for this hook. */
export const RelayPortOffer = z.object({ source: z.literal(SOURCE.relay), v, type: z.literal(HOOK_PORT.offer) });
export type RelayPortOffer = z.infer<typeof RelayPortOffer>;

/** On the hook's port: the hook is uninstalled, or the relay's extension context is gone. Nothing comes after. */
export const HookPortClose = z.object({ source: z.literal(SOURCE.hook), v, type: z.literal(HOOK_PORT.close) });
export type HookPortClose = z.infer<typeof HookPortClose>;
export const RelayPortClose = z.object({ source: z.literal(SOURCE.relay), v, type: z.literal(HOOK_PORT.close) });
export type RelayPortClose = z.infer<typeof RelayPortClose>;

/** What travels on the hook's port, each way. */
export const HookToRelayPort = z.union([HookToRelay, HookPortClose]);
export type HookToRelayPort = z.infer<typeof HookToRelayPort>;
export const RelayToHookPort = z.union([RelayToHook, RelayPortClose]);
export type RelayToHookPort = z.infer<typeof RelayToHookPort>;

export const WorkerToPage = z.object({ source: z.literal(SOURCE.worker), v, worker: z.string(), event: HookEvent });
export type WorkerToPage = z.infer<typeof WorkerToPage>;

export const RelayToBackground = z.discriminatedUnion('type', [
  z.object({ source: z.literal(SOURCE.relay), v, type: z.literal('ready'), url: z.string() }),
  z.object({ source: z.literal(SOURCE.relay), v, type: z.literal('hook'), event: HookEvent }),
]);
export type RelayToBackground = z.infer<typeof RelayToBackground>;

export const BackgroundToRelay = z.object({ source: z.literal(SOURCE.background), v, type: z.literal('command'), command: HookCommand });
export type BackgroundToRelay = z.infer<typeof BackgroundToRelay>;

export const PanelToBackground = z.discriminatedUnion('type', [
  /** The panel for this tab opened; the background routes that tab's events to it. */
  z.object({ source: z.literal(SOURCE.panel), v, type: z.literal('connect'), tabId: z.number().int() }),
  z.object({ source: z.literal(SOURCE.panel), v, type: z.literal('command'), tabId: z.number().int(), command: HookCommand }),
]);
export type PanelToBackground = z.infer<typeof PanelToBackground>;

export const BackgroundToPanel = z.discriminatedUnion('type', [
  z.object({ source: z.literal(SOURCE.background), v, type: z.literal('hook'), tabId: z.number().int(), event: HookEvent }),
  z.object({
    source: z.literal(SOURCE.background),
    v,
    type: z.literal('tab'),
    tabId: z.number().int(),
    state: z.enum(['connected', 'disconnected', 'navigated']),
    url: z.string().optional(),
  }),
]);
export type BackgroundToPanel = z.infer<typeof BackgroundToPanel>;

/** Node taps (or any non-browser client) to a standalone panel over WebSocket; `client` names the process. */
export const RemoteToPanel = z.object({ source: z.literal(SOURCE.remote), v, client: z.string(), event: HookEvent });
export type RemoteToPanel = z.infer<typeof RemoteToPanel>;

export const PanelToRemote = z.object({ source: z.literal(SOURCE.panel), v, command: HookCommand });
export type PanelToRemote = z.infer<typeof PanelToRemote>;

/** A piece of a message too big for one port message: its UTF-8 JSON bytes, base64, `index` of `count`. */
export const Chunk = z.object({
  source: z.enum([SOURCE.relay, SOURCE.background, SOURCE.remote, SOURCE.hook, SOURCE.worker, SOURCE.panel]),
  v,
  type: z.literal('chunk'),
  id,
  index: z.number().int().nonnegative(),
  count: z.number().int().positive(),
  b64: z.string(),
});
export type Chunk = z.infer<typeof Chunk>;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

/** Validates an incoming message against the schema of its direction; the error names the first bad field. */
export function parseMessage<T>(schema: z.ZodType<T>, data: unknown): ParseResult<T> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return { ok: false, error: `${where}${issue?.message ?? 'invalid message'}` };
}
