/**
 * Hand-built sessions of the public seneschal / manciple-rn shapes (formats.md section 3), so that traffic of the
 * real system can be inspected: bare client envelopes on a socket, and the stored journal served over HTTP, once as
 * one JSON array and once streamed as NDJSON chunks. Written to fixtures/public-*.syncscope.jsonl by
 * `npx tsx protocols/seneschal/public-fixtures.ts`; the tests rebuild them and compare.
 */
import { Recorder } from '@syncscope/inspector/record';
import type { Envelope, JournalEntry } from './schemas.ts';

const T0 = Date.UTC(2026, 10, 20, 7, 0, 0);
const minutes = (m: number) => T0 + m * 60_000;

function envelope(minute: number, clientID: string, action: string, oid: string, data: Record<string, unknown>): Envelope {
  return { timestamp: minutes(minute), clientID, dispatch: { action, payload: [oid, data] } };
}

/** The note's worked example as a client would send bare envelopes: two devices, one of them offline for a while. */
export function publicEnvelopesSession(): string {
  const recorder = new Recorder(() => minutes(0));
  const url = 'ws://127.0.0.1:4101/seneschal';
  const phone = (m: number, e: Envelope) =>
    recorder.add({ t: minutes(m), transport: 'websocket', conn: 'phone', dir: 'out', kind: 'message', text: JSON.stringify(e) });
  const tablet = (m: number, e: Envelope) =>
    recorder.add({ t: minutes(m), transport: 'websocket', conn: 'tablet', dir: 'out', kind: 'message', text: JSON.stringify(e) });
  recorder.add({ t: minutes(-60), transport: 'websocket', conn: 'phone', dir: 'out', kind: 'open', meta: { url } });
  phone(-60, envelope(-60, 'phone', 'items/upsert', 'ob1', { name: 'tset', qty: '1', location: 'store' }));
  phone(0, envelope(0, 'phone', 'items/upsert', 'ob1', { name: 'test' }));
  phone(30, envelope(30, 'phone', 'items/upsert', 'ob1', { location: 'food court' }));
  recorder.add({ t: minutes(40), transport: 'websocket', conn: 'tablet', dir: 'out', kind: 'open', meta: { url } });
  // Made at 0720 while offline, sent at 0740.
  tablet(40, envelope(20, 'tablet', 'items/upsert', 'ob1', { qty: '2', location: 'aisle' }));
  tablet(41, envelope(41, 'tablet', 'items/delete', 'ob2', {}));
  return recorder.toSessionFile({ origin: 'hand-built: public client envelopes (formats.md, seneschal)', protocols: ['seneschal'] });
}

function entry(
  minute: number,
  slice: string,
  action: string,
  id: string,
  oid: string,
  data: Record<string, unknown>,
  client: string,
): JournalEntry {
  return { timestamp: minutes(minute), slice, action, actionID: id, payload: [oid, data], user: 'u-alice', client };
}

const journal: JournalEntry[] = [
  entry(-60, 'lists', 'upsert', 'a1', 'list1', { name: 'Groceries' }, 'phone'),
  entry(-59, 'items', 'upsert', 'a2', 'ob1', { name: 'tset', qty: '1', location: 'store', listID: 'list1' }, 'phone'),
  entry(0, 'items', 'upsert', 'a3', 'ob1', { name: 'test' }, 'phone'),
  entry(30, 'items', 'upsert', 'a4', 'ob1', { location: 'food court' }, 'phone'),
  entry(20, 'items', 'upsert', 'a5', 'ob1', { qty: '2', location: 'aisle' }, 'tablet'),
];

/** The stored journal over HTTP: one JSON array, then the same journal streamed as NDJSON in two chunks. */
export function publicJournalSession(): string {
  const recorder = new Recorder(() => minutes(45));
  const url = 'http://127.0.0.1:4101/seneschal/journal';
  recorder.add({ transport: 'http', conn: 'h1', dir: 'out', kind: 'request', meta: { url, method: 'GET', headers: {} } });
  recorder.add({
    transport: 'http',
    conn: 'h1',
    dir: 'in',
    kind: 'response',
    text: JSON.stringify(journal),
    meta: { url, method: 'GET', status: 200, headers: { 'content-type': 'application/json' } },
  });
  const lines = journal.map((e) => JSON.stringify(e));
  const ndjson = `${url}?stream=1`;
  const headers = { 'content-type': 'application/x-ndjson' };
  recorder.add({ transport: 'http', conn: 'h2', dir: 'out', kind: 'request', meta: { url: ndjson, method: 'GET', headers: {} } });
  recorder.add({
    transport: 'http',
    conn: 'h2',
    dir: 'in',
    kind: 'response',
    text: `${lines.slice(0, 3).join('\n')}\n`,
    meta: { url: ndjson, method: 'GET', status: 200, headers, chunk: true },
  });
  recorder.add({
    transport: 'http',
    conn: 'h2',
    dir: 'in',
    kind: 'response',
    text: `${lines.slice(3).join('\n')}\n`,
    meta: { url: ndjson, method: 'GET', status: 200, headers },
  });
  return recorder.toSessionFile({ origin: 'hand-built: public journal entries (formats.md, seneschal)', protocols: ['seneschal'] });
}

export const PUBLIC_FIXTURES = {
  'public-envelopes.syncscope.jsonl': publicEnvelopesSession,
  'public-journal.syncscope.jsonl': publicJournalSession,
} as const;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { writeFileSync } = await import('node:fs');
  const { join, dirname } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
  for (const [name, build] of Object.entries(PUBLIC_FIXTURES)) writeFileSync(join(dir, name), build());
}
