/** Golden tests: every fixture through `syncscope dump --json`, and the hand-built ones equal to their builders. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type DumpSummary, dumpJsonSync } from '../core/testing/dump-cli.ts';
import { PUBLIC_FIXTURES } from './public-fixtures.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, 'fixtures');

type Summary = DumpSummary;

/** The client journal of each person's last connection for an entity (connections are named `<person>-ws<n>`). */
function lastViews(summary: Summary, entity: string): Record<string, string | undefined> {
  const latest: Record<string, { n: number; cursor: string | undefined }> = {};
  for (const [key, journal] of Object.entries(summary.journals)) {
    const match = /^temporal\/client:(.+)-ws(\d+):(.+)$/.exec(key);
    if (!match || match[3] !== entity) continue;
    const [, person = '', n = '0'] = match;
    if (!latest[person] || latest[person].n < Number(n))
      latest[person] = { n: Number(n), cursor: journal.cursor == null ? undefined : String(journal.cursor) };
  }
  return Object.fromEntries(Object.entries(latest).map(([person, v]) => [person, v.cursor]));
}

const noQueues = { 'temporal/patchDiff': 0, 'temporal/requests': 0, 'temporal/ack': 0, 'temporal/upstream': 0 };

const dumped = new Map<string, Summary>();

/** The summary line of `syncscope dump --json`, once per file. */
function dump(file: string): Summary {
  const known = dumped.get(file);
  if (known) return known;
  const { summary } = dumpJsonSync(file);
  dumped.set(file, summary);
  return summary;
}

describe('hand-built fixtures of blueprint TemporalEntity HTTP', () => {
  it('are what their builders write', () => {
    for (const [name, build] of Object.entries(PUBLIC_FIXTURES)) {
      expect(readFileSync(join(fixtures, name), 'utf8').split('\n').slice(1)).toEqual(build().split('\n').slice(1));
    }
  });

  it('cbor-sc lifecycle: one entity, deleted, a 412 conflict, nothing pending', () => {
    const summary = dump(join(fixtures, 'public-http-cbor.syncscope.jsonl'));
    expect(summary).toMatchObject({ frames: 14, undecodable: 0, byProtocol: { temporal: 14 }, entities: 1 });
    expect(summary.byType).toMatchObject({
      'temporal/http/304': 1,
      'temporal/http/412': 1,
      'temporal/http/428': 1,
      'temporal/http/404': 1,
      'temporal/http/201': 1,
    });
    expect(summary.queues).toEqual(noQueues);
    expect(summary.journals['temporal/server:widget/6a1b2c3d4e5f60718293a4b5c6d7e8f9']).toEqual({
      side: 'server',
      cursor: '2024-01-15T09:07:00.000Z',
    });
    expect(summary.conflicts).toEqual([
      { protocol: 'temporal', entity: 'widget/6a1b2c3d4e5f60718293a4b5c6d7e8f9', field: null, rule: 'precondition-412', winner: 'remote' },
    ]);
  });

  it('JSON: the 400 for a date without milliseconds and an undelete decode', () => {
    const summary = dump(join(fixtures, 'public-http-json.syncscope.jsonl'));
    expect(summary).toMatchObject({ frames: 6, undecodable: 0, entities: 1, conflicts: [] });
    expect(summary.byType['temporal/http/400']).toBe(1);
    expect(summary.journals['temporal/server:widget/6a1b2c3d4e5f60718293a4b5c6d7e8f9']?.cursor).toBe('2024-01-15T09:10:00.000Z');
  });

  it('every fixture in the folder decodes without undecodable frames', () => {
    const files = readdirSync(fixtures).filter((f) => f.endsWith('.syncscope.jsonl'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) expect(dump(join(fixtures, file)).undecodable, file).toBe(0);
  });
});

describe('recorded traffic of the reference engine (examples/temporal/scripts/record-fixtures.ts)', () => {
  it('concurrent edits: a merge over a concurrent change, a 412 on the same field, everyone converged', () => {
    const summary = dump(join(fixtures, 'concurrent-edits.syncscope.jsonl'));
    expect(summary.undecodable).toBe(0);
    expect(summary.queues).toEqual(noQueues);
    expect(summary.conflicts).toEqual([
      { protocol: 'temporal', entity: 'org/acme', field: 'city', rule: 'rebase', winner: 'local' },
      { protocol: 'temporal', entity: 'org/acme', field: 'employees', rule: 'precondition-412', winner: 'remote' },
    ]);
    const server = summary.journals['temporal/server:org/acme']?.cursor;
    expect(lastViews(summary, 'org/acme')).toEqual({ alice: server, bob: server });
    expect(summary.journals['temporal/server:person/alice']).toBeDefined();
  });

  it('offline and reconnect: the offline edit conflicts (412), reconnects catch up (diff, then 304)', () => {
    const summary = dump(join(fixtures, 'offline-reconnect.syncscope.jsonl'));
    expect(summary.undecodable).toBe(0);
    expect(summary.queues).toEqual(noQueues);
    expect(summary.byType['temporal/response/304']).toBe(1);
    expect(summary.conflicts).toEqual([
      { protocol: 'temporal', entity: 'org/acme', field: 'name', rule: 'precondition-412', winner: 'remote' },
    ]);
    const server = summary.journals['temporal/server:org/acme']?.cursor;
    expect(lastViews(summary, 'org/acme')).toEqual({ alice: server, bob: server, carol: server });
  });

  it('restart mid-sync: reconnect attempts while down, no conflict, nothing left pending, both at the last version', () => {
    const summary = dump(join(fixtures, 'restart-mid-sync.syncscope.jsonl'));
    expect(summary.undecodable).toBe(0);
    expect(summary.queues).toEqual(noQueues);
    expect(summary.conflicts).toEqual([]);
    expect(summary.byType['temporal/open']).toBeGreaterThan(2);
    const server = summary.journals['temporal/server:org/counter']?.cursor;
    expect(lastViews(summary, 'org/counter')).toEqual({ alice: server, bob: server });
  });
});

describe('recorded browser traffic of the demo (examples/temporal/scripts/record-browser-fixture.ts)', () => {
  it('fan-out on entity channels, store edits on upstream, acks, port messages, an offline edit merged: all decoded, all answered', () => {
    const summary = dump(join(fixtures, 'browser-fanout.syncscope.jsonl'));
    expect(summary.undecodable).toBe(0);
    expect(summary.byProtocol).toEqual({ temporal: summary.frames });
    for (const type of [
      'snapshot',
      'downstream',
      'upstream',
      'ack',
      'port/connect',
      'port/subscribe',
      'port/online',
      'request/patchDiff',
      'update',
    ]) {
      expect(summary.byType[`temporal/${type}`], type).toBeGreaterThan(0);
    }
    // Every downstream message was acked by a store and every store edit answered by the server.
    expect(summary.queues).toEqual(noQueues);
    const server = summary.journals['temporal/server:org/acme']?.cursor;
    expect(lastViews(summary, 'org/acme')).toEqual({ 'worker-alice': server, 'worker-bob': server });
    // Alice's offline website edit was made on a version Bob's rename had passed: merged, hers kept.
    expect(summary.conflicts).toEqual([{ protocol: 'temporal', entity: 'org/acme', field: 'website', rule: 'rebase', winner: 'local' }]);
  });
});
