/**
 * Which connections speak temporal. Exact: the engine's socket path `/temporal/...`, blueprint's
 * `/temporal-entity/...` HTTP paths, and `temporal:` BroadcastChannel / worker port names. Heuristic: a frame that
 * decodes to one of the protocol's messages.
 */
import type { ConnInfo, ExactRules } from '../core/dissector.ts';
import type { RawFrame } from '../core/frame.ts';
import { frameDecodes } from './decode.ts';

/** The engine's socket: `/temporal/person/<personID>` on the Worker in front of the Person object. */
export const SOCKET_PATH = /^\/temporal\/person\/[^/]+/;

export const exactRules: ExactRules = {
  urlPath: /^\/temporal(?:-entity)?\//,
  channel: /^temporal:/,
};

/** The share of payload-carrying first frames that decode as temporal messages, when at least one does. */
export function matchTemporal(_conn: ConnInfo, firstFrames: readonly RawFrame[]): number {
  const carrying = firstFrames.filter((f) => f.text !== undefined || f.b64 !== undefined || f.json !== undefined);
  if (carrying.length === 0) return 0;
  let decoded = 0;
  for (const frame of carrying) {
    try {
      if (frameDecodes.peek(frame).ok) decoded += 1;
    } catch {
      // decode never throws by contract; a heuristic must not either.
    }
  }
  return decoded === 0 ? 0 : 0.9 * (decoded / carrying.length);
}
