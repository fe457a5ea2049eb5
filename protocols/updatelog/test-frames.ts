/** Frame builders shared by the unit tests and the hand-built fixtures: S3 exchanges as a tap records them. */
import type { RawFrame } from '@syncscope/protocols/core';

export type FrameDraft = Omit<RawFrame, 'seq' | 't'> & { t?: number };

export interface Exchange {
  conn: string;
  method: string;
  url: string;
  client?: string;
  requestHeaders?: Record<string, string>;
  requestBody?: string;
  status: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
}

/** A request frame and its response frame on one conn, as the HTTP tap convention says. */
export function exchangeFrames(exchange: Exchange): [FrameDraft, FrameDraft] {
  const client = exchange.client === undefined ? {} : { client: exchange.client };
  const request: FrameDraft = {
    transport: 'http',
    conn: exchange.conn,
    dir: 'out',
    kind: 'request',
    meta: { url: exchange.url, method: exchange.method, headers: exchange.requestHeaders ?? {}, ...client },
    ...(exchange.requestBody === undefined ? {} : { text: exchange.requestBody }),
  };
  const response: FrameDraft = {
    transport: 'http',
    conn: exchange.conn,
    dir: 'in',
    kind: 'response',
    meta: { url: exchange.url, method: exchange.method, status: exchange.status, headers: exchange.responseHeaders ?? {}, ...client },
    ...(exchange.responseBody === undefined ? {} : { text: exchange.responseBody }),
  };
  return [request, response];
}

/** A write to the client's local store of unsaved updates. */
export function localWrite(client: string, db: string, json: unknown): FrameDraft {
  return { transport: 'idb', conn: `local:${client}`, dir: 'local', kind: 'write', meta: { db, store: 'unsavedUpdates', client }, json };
}

let nextSeq = 0;
/** Stamps seq and t so a draft can go straight to decode/reduce in unit tests. */
export function stamp(draft: FrameDraft): RawFrame {
  const seq = nextSeq++;
  return { ...draft, seq, t: draft.t ?? 1_700_000_000_000 + seq } as RawFrame;
}
