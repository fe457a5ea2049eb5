/**
 * Picks a dissector per connection, the way Wireshark does: an exact rule (URL path, subprotocol, channel or
 * database name) first, then heuristics on the first frames, then `unknown`. A user's "decode as" override wins.
 */
import type { AnyDissector, ConnInfo } from './dissector.ts';
import type { RawFrame } from './frame.ts';
import { UNKNOWN, unknownDissector } from './unknown.ts';

/** A heuristic guess below this is not trusted; the connection waits for more frames, then falls back to unknown. */
export const HEURISTIC_THRESHOLD = 0.5;
/** How many frames of a connection heuristics may look at before giving up. */
export const HEURISTIC_WINDOW = 8;

export type Choice = { id: string; how: 'override' | 'exact' | 'heuristic' | 'fallback' };

/** Endpoints whose protocol heuristics have learned, and exact-rule answers, each kept for this many keys at most. */
const REMEMBERED_MAX = 1024;

export class Registry {
  private readonly byId = new Map<string, AnyDissector>();
  private readonly overrides = new Map<string, string>();
  /**
   * The protocol heuristics chose for an endpoint (a URL without its query, a channel, a database). Every HTTP
   * exchange is a connection of its own, so without this each one asked every dissector's heuristic again; the
   * learned protocol is now asked first and kept if it still matches.
   */
  private readonly learned = new Map<string, string>();
  /**
   * What the exact rules say of a connection target, and its endpoint. Most connections have a URL and nothing
   * else, so those are kept by the URL string itself: a key built per call had to be hashed per call.
   */
  private readonly targetsByUrl = new Map<string, Target>();
  private readonly targetsByKey = new Map<string, Target>();

  constructor(dissectors: readonly AnyDissector[] = []) {
    this.byId.set(UNKNOWN, unknownDissector);
    for (const dissector of dissectors) this.add(dissector);
  }

  add(dissector: AnyDissector): this {
    if (this.byId.has(dissector.id)) throw new Error(`a dissector with id "${dissector.id}" is already registered`);
    this.byId.set(dissector.id, dissector);
    return this;
  }

  get(id: string): AnyDissector | undefined {
    return this.byId.get(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  /** "Decode as": fix a connection's protocol whatever the rules say (`undefined` removes the override). */
  decodeAs(connId: string, dissectorId: string | undefined): void {
    if (dissectorId === undefined) this.overrides.delete(connId);
    else if (!this.byId.has(dissectorId)) throw new Error(`no dissector "${dissectorId}" (known: ${this.ids().join(', ')})`);
    else this.overrides.set(connId, dissectorId);
  }

  overrideOf(connId: string): string | undefined {
    return this.overrides.get(connId);
  }

  /**
   * The dissector for a connection given the frames seen so far, or undefined while heuristics still want more
   * frames. `final` forces a decision (end of input, or the window is full).
   */
  choose(conn: ConnInfo, firstFrames: readonly RawFrame[], final = false): Choice | undefined {
    const override = this.overrides.get(conn.id);
    if (override) return { id: override, how: 'override' };
    const { exact, endpoint } = this.targetOf(conn);
    if (exact.length === 1) return { id: (exact[0] as AnyDissector).id, how: 'exact' };
    const learned = endpoint === undefined ? undefined : this.byId.get(this.learned.get(endpoint) ?? '');
    if (learned && scoreOf(learned, conn, firstFrames) >= HEURISTIC_THRESHOLD) return { id: learned.id, how: 'heuristic' };
    const candidates = exact.length > 1 ? exact : [...this.byId.values()];
    let best: { id: string; score: number } | undefined;
    for (const dissector of candidates) {
      if (dissector.id === UNKNOWN || dissector === learned) continue;
      const score = scoreOf(dissector, conn, firstFrames);
      if (!best || score > best.score) best = { id: dissector.id, score };
    }
    if (exact.length > 1 && best) return { id: best.id, how: 'exact' };
    if (best && best.score >= HEURISTIC_THRESHOLD) {
      if (endpoint !== undefined) remember(this.learned, endpoint, best.id);
      return { id: best.id, how: 'heuristic' };
    }
    if (final || firstFrames.length >= HEURISTIC_WINDOW) return { id: UNKNOWN, how: 'fallback' };
    return undefined;
  }

  private targetOf(conn: ConnInfo): Target {
    const urlOnly = conn.url !== undefined && conn.subprotocol === undefined && conn.channel === undefined && conn.db === undefined;
    const key = urlOnly ? (conn.url as string) : `${conn.url}\u0000${conn.subprotocol}\u0000${conn.channel}\u0000${conn.db}`;
    const targets = urlOnly ? this.targetsByUrl : this.targetsByKey;
    let target = targets.get(key);
    if (!target) {
      const exact = this.exactMatches(conn);
      // Only a connection no exact rule names is left to heuristics, so only those learn.
      target = { exact, endpoint: exact.length === 0 ? endpointOf(conn) : undefined };
      remember(targets, key, target);
    }
    return target;
  }

  /** Dissectors whose exact rules name this connection (by URL path, subprotocol, channel or database). */
  private exactMatches(conn: ConnInfo): AnyDissector[] {
    const path = conn.url ? pathOf(conn.url) : undefined;
    const hits: AnyDissector[] = [];
    for (const dissector of this.byId.values()) {
      const rules = dissector.exact;
      if (!rules) continue;
      const hit =
        (path !== undefined && rules.urlPath?.test(path)) ||
        (conn.subprotocol !== undefined && rules.subprotocols?.includes(conn.subprotocol)) ||
        (conn.channel !== undefined && rules.channel?.test(conn.channel)) ||
        (conn.db !== undefined && rules.db?.test(conn.db));
      if (hit) hits.push(dissector);
    }
    return hits;
  }
}

interface Target {
  readonly exact: readonly AnyDissector[];
  /** Set when no exact rule names the target: where heuristics' findings are remembered. */
  readonly endpoint: string | undefined;
}

function scoreOf(dissector: AnyDissector, conn: ConnInfo, firstFrames: readonly RawFrame[]): number {
  try {
    return dissector.match(conn, firstFrames);
  } catch {
    return 0; // A heuristic that throws is a heuristic that does not match.
  }
}

/**
 * What a connection talks to, for learning: its URL without query (the scheme tells a socket from HTTP), or its
 * channel, or its database.
 */
function endpointOf(conn: ConnInfo): string | undefined {
  if (conn.url) {
    const end = conn.url.search(/[?#]/);
    return `url ${end === -1 ? conn.url : conn.url.slice(0, end)}`;
  }
  if (conn.channel !== undefined) return `${conn.transport} channel ${conn.channel}`;
  if (conn.db !== undefined) return `${conn.transport} db ${conn.db}`;
  return undefined;
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= REMEMBERED_MAX && !map.has(key)) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

const paths = new Map<string, string>();
const PATHS_MAX = 1024;

/**
 * Pathname plus search of a URL; a relative or malformed URL is used as it is. Remembered by URL (bounded): the
 * registry asks for every new connection, every HTTP exchange is one, and a few endpoints serve them all.
 */
export function pathOf(url: string): string {
  let path = paths.get(url);
  if (path !== undefined) return path;
  try {
    const parsed = new URL(url, 'http://relative.invalid');
    path = parsed.pathname + parsed.search;
  } catch {
    path = url;
  }
  if (paths.size >= PATHS_MAX) paths.clear();
  paths.set(url, path);
  return path;
}
