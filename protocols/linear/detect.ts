/**
 * How a connection is known to be linear: for certain by its URL path (the engine's and pbardea/sync's /login,
 * /bootstrap, /delta-bootstrap, /change and /sync; Linear's /sync/bootstrap, /sync/delta, /sync/batch), else by the
 * shape of its first messages (`cmd` frames, SyncActions, `_metadata_=` lines, `{Objects, Tombstones, LatestTS}`).
 */
import type { ConnInfo, ExactRules, RawFrame } from '../core/index.ts';
import { decodeMsgpack, pathOf, payloadOf } from '../core/index.ts';
import { frameDecodes } from './decode.ts';
import { LINEAR_DB } from './schemas.ts';

export const exact: ExactRules = {
  /** The browser client's IndexedDB databases (`linear-sync:<user>@<server>`). */
  db: LINEAR_DB,
  /** Paths only Linear-style engines use: pbardea's /delta-bootstrap and Linear's own /sync/... */
  urlPath: /^\/(?:delta-bootstrap|sync\/(?:bootstrap|delta|batch))(?:[/?]|$)/,
};

/**
 * The note's own endpoints (/login, /bootstrap, /change, /sync) are words every app uses: a connection on one of them
 * is linear only once one of its frames decodes as linear, so another app's /login or /sync is never claimed.
 */
const NOTE_PATHS = /^\/(?:login|bootstrap|change|sync)(?:[/?]|$)/;

const SOCKET_COMMANDS = new Set(['hshk', 'sync', 'eu', 'pong', 'noauth', 'refresh', 'cacheSyncId']);

/** How sure a text payload makes us, from its most telling marks. */
export function scoreText(text: string): number {
  if (text.includes('_metadata_={')) return 0.95;
  if (/"__class"\s*:\s*"SyncAction"/.test(text)) return 0.95;
  if (/^\s*\{\s*"Objects"\s*:/.test(text) && text.includes('"LatestTS"')) return 0.95;
  const cmd = /^\s*\{\s*"cmd"\s*:\s*"([A-Za-z]+)"/.exec(text)?.[1];
  if (cmd && SOCKET_COMMANDS.has(cmd)) return 0.8;
  if (/^\s*\{\s*"type"\s*:\s*"(create|update|delete)"\s*,\s*"jsonObject"\s*:/.test(text)) return 0.9;
  if (/"changeSnapshot"\s*:\s*\{\s*"changes"/.test(text)) return 0.85;
  if (/"transactions"\s*:\s*\[/.test(text) && /"type"\s*:\s*"(create|update|delete|archive)"/.test(text)) return 0.7;
  return 0;
}

function scoreBytes(bytes: Uint8Array): number {
  const value = decodeMsgpack(bytes);
  if (!value.ok || typeof value.value !== 'object' || value.value === null) return 0;
  const cmd = (value.value as { cmd?: unknown }).cmd;
  return typeof cmd === 'string' && SOCKET_COMMANDS.has(cmd) ? 0.8 : 0;
}

export function match(conn: ConnInfo, firstFrames: readonly RawFrame[]): number {
  let best = 0;
  if (conn.url !== undefined && NOTE_PATHS.test(pathOf(conn.url))) {
    const withPayload = firstFrames.filter((frame) => payloadOf(frame).form !== 'none');
    if (withPayload.some((frame) => frameDecodes.peek(frame).ok)) best = 0.9;
    // A socket on such a path that closed or failed before carrying anything (the server was down) has nothing to
    // misread; it is shown as linear so that the outage is in linear's phases.
    else if (withPayload.length === 0 && firstFrames.some((frame) => frame.kind === 'close' || frame.kind === 'error')) best = 0.6;
  }
  for (const frame of firstFrames) {
    const payload = payloadOf(frame);
    if (payload.form === 'text') best = Math.max(best, scoreText(payload.text));
    else if (payload.form === 'bytes') best = Math.max(best, scoreBytes(payload.bytes));
  }
  return best;
}
