/**
 * Golden tests: every fixture through the real CLI, `syncscope dump --json`, checking the derived queues, journals
 * and conflicts. Recorded fixtures come from examples/seneschal/scripts/record-fixtures.ts; public-* are hand-built.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { dumpJson } from '../core/testing/dump-cli.ts';
import { PUBLIC_FIXTURES } from './public-fixtures.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => join(here, 'fixtures', name);

const dump = dumpJson;

/** Every fixture is dumped once, all at the same time: each dump is a process start, the slow part. */
const dumps = new Map<string, ReturnType<typeof dump>>();
const dumped = (name: string) => {
  let result = dumps.get(name);
  if (!result) {
    result = dump(fixture(name));
    dumps.set(name, result);
  }
  return result;
};
beforeAll(() => {
  for (const name of readdirSync(join(here, 'fixtures'))) if (name.endsWith('.syncscope.jsonl')) void dumped(name).catch(() => undefined);
});

/** Frames' text without the header line, whose createdAt differs on every build. */
const body = (session: string) => session.split('\n').slice(1).join('\n');

describe('seneschal public fixtures', () => {
  it('are what public-fixtures.ts builds', async () => {
    for (const [name, build] of Object.entries(PUBLIC_FIXTURES)) {
      expect(body(readFileSync(fixture(name), 'utf8')), name).toBe(body(build()));
    }
  });

  it('public envelopes: the worked example yields the two property conflicts', async () => {
    const { lines, summary } = await dumped('public-envelopes.syncscope.jsonl');
    expect(summary.undecodable).toBe(0);
    expect(lines.every((l) => l.protocol === 'seneschal')).toBe(true);
    expect(summary.byType['seneschal/envelope']).toBe(5);
    expect(summary.conflicts).toEqual([
      { protocol: 'seneschal', entity: 'ob1', field: 'qty', rule: 'lww-property', winner: 'local' },
      { protocol: 'seneschal', entity: 'ob1', field: 'location', rule: 'lww-property', winner: 'remote' },
    ]);
  });

  it('public journal: JSON and NDJSON chunks decode to the same journal, each entry counted once', async () => {
    const { summary } = await dumped('public-journal.syncscope.jsonl');
    expect(summary.undecodable).toBe(0);
    expect(summary.byType['seneschal/journal']).toBe(3);
    const cursor = Date.UTC(2026, 10, 20, 7, 30);
    expect(summary.journals).toEqual({
      'seneschal/journal/h1': { side: 'server', cursor },
      'seneschal/journal/h2': { side: 'server', cursor },
    });
    expect(summary.conflicts).toEqual([
      { protocol: 'seneschal', entity: 'ob1', field: 'location', rule: 'lww-property', winner: 'remote' },
    ]);
  });
});

const at = (hhmm: number) => Date.UTC(2026, 10, 20, Math.floor(hhmm / 100), hhmm % 100);

/** Recorded traffic must decode completely, as seneschal, and carry no secrets. */
async function recorded(name: string) {
  const text = readFileSync(fixture(name), 'utf8');
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]+\./); // no JWT
  expect(text).not.toContain('-password');
  const result = await dumped(name);
  expect(result.summary.undecodable).toBe(0);
  expect(result.lines.filter((l) => l.protocol !== 'seneschal')).toEqual([]);
  return result;
}

const idle = (names: string[]) => Object.fromEntries(names.map((n) => [`seneschal/${n}`, 0]));

describe('seneschal recorded fixtures (examples/seneschal/scripts/record-fixtures.ts)', () => {
  it('worked example: the offline qty wins, the offline location loses, journals end at 0730 / 0720 / 0740', async () => {
    const { summary } = await recorded('worked-example.syncscope.jsonl');
    expect(summary.conflicts).toEqual([
      { protocol: 'seneschal', entity: 'ob1', field: 'qty', rule: 'lww-property', winner: 'local' },
      { protocol: 'seneschal', entity: 'ob1', field: 'location', rule: 'lww-property', winner: 'remote' },
    ]);
    expect(summary.queues).toEqual(
      idle(['client/phone', 'client/tablet', 'client/laptop', 'server/phone', 'server/tablet', 'server/laptop']),
    );
    expect(summary.journals['seneschal/client/phone']).toEqual({ side: 'client', cursor: at(730), peer: 'server/phone' });
    expect(summary.journals['seneschal/client/tablet']).toEqual({ side: 'client', cursor: at(720), peer: 'server/tablet' });
    for (const device of ['phone', 'tablet', 'laptop']) {
      expect(summary.journals[`seneschal/server/${device}`]).toEqual({ side: 'server', cursor: at(740), peer: `client/${device}` });
    }
    expect(summary.entities).toBe(1);
  });

  it('shared list: grant and revoke show as access changes, no conflicts, everything confirmed', async () => {
    const { summary } = await recorded('shared-list.syncscope.jsonl');
    expect(summary.conflicts).toEqual([]);
    expect(summary.byType['seneschal/share']).toBe(2);
    expect(summary.byType['seneschal/group']).toBe(2);
    // list1 and chips, plus bob's access to each (granted, then revoked).
    expect(summary.entities).toBe(4);
    expect(summary.queues).toEqual(idle(['client/alice-phone', 'client/bob-phone', 'server/alice-phone', 'server/bob-phone']));
    expect(summary.journals['seneschal/client/bob-phone']).toMatchObject({ side: 'client', cursor: at(810) });
  });

  it('concurrent edits: the older qty loses to the newer one', async () => {
    const { summary } = await recorded('concurrent-edits.syncscope.jsonl');
    expect(summary.conflicts).toEqual([{ protocol: 'seneschal', entity: 'soap', field: 'qty', rule: 'lww-property', winner: 'remote' }]);
    expect(summary.journals['seneschal/client/a']).toMatchObject({ cursor: at(901) });
    expect(summary.journals['seneschal/client/b']).toMatchObject({ cursor: at(902) });
  });

  it('restart mid-sync: the stored dispatches wait in the client queue until the resend is accepted', async () => {
    const name = 'restart-mid-sync.syncscope.jsonl';
    const { summary } = await recorded(name);
    expect(summary.byType['seneschal/rehydrate']).toBe((summary.byType['seneschal/rehydrateEnd'] ?? 0) + 1);
    expect(summary.queues).toEqual(idle(['client/a', 'client/b', 'server/a', 'server/b']));
    // b made two edits at 10:10; the client bumps the second by a millisecond so they keep their order.
    expect(summary.journals['seneschal/client/b']).toMatchObject({ side: 'client', cursor: at(1010) + 1 });

    // Cut the session where the server died: b's two stored dispatches are still pending there.
    const lines = readFileSync(fixture(name), 'utf8').trim().split('\n');
    const rehydrate = lines.findIndex((l) => l.includes('\\"type\\":\\"rehydrate\\",\\"dispatches\\":[{'));
    expect(rehydrate).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'seneschal-golden-'));
    try {
      const cut = join(dir, 'cut.syncscope.jsonl');
      writeFileSync(cut, `${lines.slice(0, rehydrate + 1).join('\n')}\n`);
      expect((await dump(cut)).summary.queues['seneschal/client/b']).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
