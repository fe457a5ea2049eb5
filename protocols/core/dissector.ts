/**
 * The dissector contract: what a protocol definition gives the registry and the fold. One dissector per protocol
 * folder; see protocols/README.md for the file layout every protocol follows.
 */
import type { CodecName } from './codecs/result.ts';
import type { FrameKind, FrameMeta, RawFrame, Transport } from './frame.ts';
import type { CommonModel } from './model.ts';

/** What is known of a connection when its protocol is chosen: taken from its open frame or first request. */
export interface ConnInfo {
  id: string;
  transport: Transport;
  url?: string;
  subprotocol?: string;
  channel?: string;
  db?: string;
}

/** A frame that did not decode: why, and where (a path into the message, or an offset into the bytes). */
export interface DecodeError {
  reason: string;
  path?: ReadonlyArray<string | number>;
  codec?: CodecName;
  offset?: number;
}

export type DecodeResult<M> = { ok: true; type: string; message: M } | { ok: false; error: DecodeError };

/** open / close / error frames reach reducers as lifecycle events, with no decode step. */
export interface LifecycleMessage {
  kind: Extract<FrameKind, 'open' | 'close' | 'error'>;
  meta: FrameMeta;
}

export type DissectorEvent<M> =
  | { lifecycle: false; type: string; message: M }
  | { lifecycle: true; type: LifecycleMessage['kind']; message: LifecycleMessage };

/** Rules that identify a protocol for certain; tried before any heuristic. */
export interface ExactRules {
  /** Tested against the URL's pathname (and search) of websocket and http connections. */
  urlPath?: RegExp;
  subprotocols?: readonly string[];
  /** BroadcastChannel / worker channel names. */
  channel?: RegExp;
  /** IndexedDB database names. */
  db?: RegExp;
}

export interface Dissector<M = unknown, S = unknown> {
  id: string;
  label: string;
  exact?: ExactRules;
  /** Heuristic: how likely (0..1) this connection speaks the protocol, given its first frames. Never throws. */
  match(conn: ConnInfo, firstFrames: readonly RawFrame[]): number;
  /** Decodes one payload-carrying frame into a typed message or a typed error. Never throws. */
  decode(frame: RawFrame, conn: ConnInfo): DecodeResult<M>;
  init(): S;
  /** Pure: returns the next state, never mutating `state` (checkpoints keep references to old states). */
  reduce(state: S, event: DissectorEvent<M>, frame: RawFrame, conn: ConnInfo): S;
  /** One line for the message list. */
  summarize(message: M, type: string): string;
  model(state: S): CommonModel;
}

/** Lets a protocol folder declare its dissector with its own message and state types and still be registered. */
export type AnyDissector = Dissector<any, any>;

export function defineDissector<M, S>(dissector: Dissector<M, S>): Dissector<M, S> {
  return dissector;
}

/** Turns a zod error into the DecodeError the contract asks for: the first issue, with its path. */
export function zodDecodeError(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, prefix = ''): DecodeError {
  const first = issues[0];
  if (!first) return { reason: `${prefix}invalid message` };
  const path = first.path.map((p) => (typeof p === 'number' ? p : String(p)));
  const where = path.length ? `${path.join('.')}: ` : '';
  return { reason: `${prefix}${where}${first.message}`, path };
}
