import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { type ClientDatabase, ClientDocument } from './client-document.ts';
import { listTodos } from './mutations.ts';

type StorageSync = Extract<Parameters<ClientDocument['receive']>[0], { type: 'storage-sync' }>;

/** Storage positions first..last of document `d`, as the server sends them. */
const storageSync = (first: number, last: number, entries: StorageSync['partial']['entries']): StorageSync => ({
  type: 'storage-sync',
  doc: 'd',
  partial: { id: 'd', range: { first, last }, entries },
});

function memoryDb(): ClientDatabase {
  const db = new Database(':memory:');
  return {
    run: (sql, params = []) => void db.prepare(sql).run(...params),
    all: (sql, params = []) => db.prepare(sql).all(...params) as Array<Record<string, unknown>>,
    exec: (sql) => db.exec(sql),
  };
}

describe('ClientDocument', () => {
  it('rebases unapplied local mutations over new storage and compacts what the server applied', () => {
    const db = memoryDb();
    const doc = new ClientDocument('d', 'mine', db);
    doc.receive({ type: 'timeline-range', doc: 'd', timeline: 'mine', range: null });
    expect(doc.mutate({ tag: 'AddTodo', id: 'a', text: 'mine first' }).send).toHaveLength(1);
    doc.mutate({ tag: 'SetText', id: 'a', text: 'mine second' });
    doc.receive({ type: 'timeline-range', doc: 'd', timeline: 'mine', range: { first: 0, last: 0 } });
    // Storage: someone else's todo, then our first entry. Our second is re-applied on top.
    const { send } = doc.receive(
      storageSync(0, 1, [
        { timeline: 'other', lsn: 0, mutation: { tag: 'AddTodo', id: 'b', text: 'theirs' } },
        { timeline: 'mine', lsn: 0, mutation: { tag: 'AddTodo', id: 'a', text: 'mine first' } },
      ]),
    );
    expect(send).toEqual([{ type: 'storage-range', doc: 'd', range: { first: 0, last: 1 } }]);
    expect(listTodos(db)).toEqual([
      { id: 'a', text: 'mine second', done: false },
      { id: 'b', text: 'theirs', done: false },
    ]);
    expect(doc.timeline.range).toEqual({ first: 1, last: 1 });
  });

  it('records rejections of its own mutations in sqlsync_rejections, across rebases and reloads', () => {
    const db = memoryDb();
    const doc = new ClientDocument('d', 'mine', db);
    doc.receive({ type: 'timeline-range', doc: 'd', timeline: 'mine', range: null });
    doc.mutate({ tag: 'AddTodo', id: 'a', text: 'x' });
    const partial = {
      id: 'd',
      range: { first: 0, last: 1 },
      entries: [
        { timeline: 'other', lsn: 0, mutation: { tag: 'AddTodo', id: 'a', text: 'theirs' } },
        { timeline: 'mine', lsn: 0, mutation: { tag: 'AddTodo', id: 'a', text: 'x' }, rejected: 'todo a already exists' },
      ],
    };
    doc.receive({ type: 'storage-sync', doc: 'd', partial });
    const rejections = () => db.all('SELECT timeline_lsn, reason FROM sqlsync_rejections');
    expect(rejections()).toEqual([{ timeline_lsn: 0, reason: 'todo a already exists' }]);
    expect(listTodos(db)).toEqual([{ id: 'a', text: 'theirs', done: false }]);
    const reloaded = memoryDb();
    new ClientDocument('d', 'mine', reloaded, JSON.parse(JSON.stringify(doc.snapshot())));
    expect(reloaded.all('SELECT reason FROM sqlsync_rejections')).toEqual([{ reason: 'todo a already exists' }]);
  });

  it('a reload from the snapshot loses no local mutation', () => {
    const first = new ClientDocument('d', 'mine', memoryDb());
    first.mutate({ tag: 'AddTodo', id: 'offline', text: 'written offline' });
    const snapshot = JSON.parse(JSON.stringify(first.snapshot()));
    const db = memoryDb();
    const again = new ClientDocument('d', 'ignored', db, snapshot);
    expect(again.timeline.id).toBe('mine');
    expect(listTodos(db)).toEqual([{ id: 'offline', text: 'written offline', done: false }]);
    expect(again.open()).toEqual({ type: 'open', docs: [{ doc: 'd', storageRange: null, timeline: 'mine' }] });
  });

  it('fast-forwards a storage sync of its own oldest mutations, and a later real rebase still gives storage + pending', () => {
    const db = memoryDb();
    const doc = new ClientDocument('d', 'mine', db);
    doc.receive({ type: 'timeline-range', doc: 'd', timeline: 'mine', range: null });
    const mine = [
      { tag: 'AddTodo', id: 'a', text: 'first' },
      { tag: 'SetText', id: 'a', text: 'second' },
      { tag: 'AddTodo', id: 'c', text: 'third' },
    ] as const;
    for (const m of mine) doc.mutate(m);
    const before = listTodos(db);
    // Storage brings back our first two, accepted: the database must not change, the timeline must shrink.
    doc.receive(
      storageSync(0, 1, [
        { timeline: 'mine', lsn: 0, mutation: mine[0] },
        { timeline: 'mine', lsn: 1, mutation: mine[1] },
      ]),
    );
    expect(listTodos(db)).toEqual(before);
    expect(doc.timeline.range).toEqual({ first: 2, last: 2 });
    doc.mutate({ tag: 'ToggleDone', id: 'a', done: true });
    // Then someone else's edit of `a` lands before our third: a real rebase, over the fast-forwarded entries.
    doc.receive(
      storageSync(2, 3, [
        { timeline: 'other', lsn: 0, mutation: { tag: 'SetText', id: 'a', text: 'theirs' } },
        { timeline: 'mine', lsn: 2, mutation: mine[2] },
      ]),
    );
    const expected = [
      { id: 'a', text: 'theirs', done: true },
      { id: 'c', text: 'third', done: false },
    ];
    expect(listTodos(db)).toEqual(expected);
    // The same journals rebuilt from scratch give the same database.
    const rebuilt = memoryDb();
    new ClientDocument('d', 'mine', rebuilt, JSON.parse(JSON.stringify(doc.snapshot())));
    expect(listTodos(rebuilt)).toEqual(expected);
  });

  it("rebases when storage mixes in others' entries: an edit refused here after a delete shows once the todo is back", () => {
    const db = memoryDb();
    const doc = new ClientDocument('d', 'mine', db);
    doc.receive({ type: 'timeline-range', doc: 'd', timeline: 'mine', range: null });
    doc.mutate({ tag: 'AddTodo', id: 'a', text: 'mine' });
    doc.mutate({ tag: 'SetText', id: 'a', text: 'edited' });
    // Someone's delete of `a` arrives first: our edit is refused here on rebase, but stays in the timeline.
    doc.receive(
      storageSync(0, 1, [
        { timeline: 'mine', lsn: 0, mutation: { tag: 'AddTodo', id: 'a', text: 'mine' } },
        { timeline: 'other', lsn: 0, mutation: { tag: 'DeleteTodo', id: 'a' } },
      ]),
    );
    expect(listTodos(db)).toEqual([]);
    // The server then re-created `a` and accepted our edit: the database must show it.
    doc.receive(
      storageSync(2, 3, [
        { timeline: 'other', lsn: 1, mutation: { tag: 'AddTodo', id: 'a', text: 'again' } },
        { timeline: 'mine', lsn: 1, mutation: { tag: 'SetText', id: 'a', text: 'edited' } },
      ]),
    );
    expect(listTodos(db)).toEqual([{ id: 'a', text: 'edited', done: false }]);
  });
});
