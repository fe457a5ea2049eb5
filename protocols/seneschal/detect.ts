/**
 * How a connection is known to be seneschal: its URL path (the socket at /seneschal, login at /seneschal/login,
 * journals under /seneschal/journal) or the browser client's database (`seneschal-<clientID>`) for certain, else
 * the shape of its first JSON messages.
 */
import type { ConnInfo, ExactRules, RawFrame } from '../core/index.ts';
import { payloadOf } from '../core/index.ts';

export const exact: ExactRules = { urlPath: /^\/seneschal(?:[/?]|$)/, db: /^seneschal-/ };

const OWN_TYPES = new Set(['hello', 'rehydrate', 'rehydrateBegin', 'rehydrateEnd', 'dispatch', 'received', 'share', 'welcome', 'ack']);

/** A quick look at a text payload: does it carry our message types or the public envelope / journal shapes? */
function looksLikeSeneschal(text: string): number {
  if (/"type"\s*:\s*"rehydrate(Begin|End)?"/.test(text)) return 0.95;
  if (/"clientID"\s*:/.test(text) && /"dispatch"\s*:\s*\{\s*"action"\s*:/.test(text)) return 0.9;
  if (/"actionID"\s*:/.test(text) && /"slice"\s*:/.test(text)) return 0.85;
  const type = /^\s*\{\s*"type"\s*:\s*"([A-Za-z]+)"/.exec(text)?.[1];
  return type && OWN_TYPES.has(type) ? 0.4 : 0;
}

export function match(_conn: ConnInfo, firstFrames: readonly RawFrame[]): number {
  let best = 0;
  for (const frame of firstFrames) {
    const payload = payloadOf(frame);
    if (payload.form !== 'text') continue;
    best = Math.max(best, looksLikeSeneschal(payload.text));
  }
  return best;
}
