import { describe, expect, it } from 'vitest';
import { bytesToBase64 } from '../core/base64.ts';
import { Fold, initialFoldState } from '../core/fold.ts';
import type { RawFrame } from '../core/frame.ts';
import { Registry } from '../core/registry.ts';
import { encodeWire } from './codec.ts';
import { temporalDissector } from './dissector.ts';
import { END_OF_TIME, type WireMessage } from './schemas.ts';

const V1 = '2025-03-01T10:00:00.000Z';
const V2 = '2025-03-01T10:00:01.000Z';
const V3 = '2025-03-01T10:00:02.000Z';
const org = { id: 'o1', type: 'org' };
const meta = (validFrom: string) => ({ userID: 'p1', validFrom, validTo: END_OF_TIME });

/** Builds frames of socket traffic and folds them through a registry holding only temporal. */
function session() {
  const frames: RawFrame[] = [];
  const add = (frame: Omit<RawFrame, 'seq' | 't'>) => frames.push({ ...frame, seq: frames.length, t: 1000 + frames.length } as RawFrame);
  const api = {
    open: (conn: string) =>
      add({ transport: 'websocket', conn, dir: 'out', kind: 'open', meta: { url: 'ws://127.0.0.1/temporal/person/p1' } }),
    close: (conn: string) => add({ transport: 'websocket', conn, dir: 'in', kind: 'close', meta: { code: 1000 } }),
    send: (conn: string, message: unknown) =>
      add({ transport: 'websocket', conn, dir: 'out', kind: 'message', b64: bytesToBase64(encodeWire(message as WireMessage)) }),
    receive: (conn: string, message: unknown) =>
      add({ transport: 'websocket', conn, dir: 'in', kind: 'message', b64: bytesToBase64(encodeWire(message as WireMessage)) }),
    channel: (name: string, json: unknown) =>
      add({ transport: 'broadcast', conn: `bc:${name}`, dir: 'local', kind: 'message', json, meta: { channel: name } }),
    model() {
      const fold = new Fold(new Registry([temporalDissector]));
      let state = initialFoldState();
      const infos = [];
      for (const frame of frames) {
        const step = fold.step(state, frame);
        state = step.state;
        infos.push(...step.settled.map((s) => s.info));
      }
      state = fold.finish(state).state;
      return { model: fold.models(state).temporal, infos };
    },
  };
  return api;
}

describe('the temporal reducer', () => {
  it('follows a bootstrap, a merged concurrent edit, a rejected conflicting one and a stale subscriber', () => {
    const s = session();
    s.open('a');
    s.send('a', { kind: 'request', requestID: 'g1', method: 'get', entity: org });
    s.receive('a', {
      kind: 'response',
      requestID: 'g1',
      method: 'get',
      entity: org,
      status: 200,
      body: { value: { name: 'Acme', city: 'Oslo' }, meta: meta(V1) },
    });
    // Someone else changed city (V2); a's patch of name on V1 is merged over it.
    s.receive('a', { kind: 'update', entity: org, diff: { city: 'Bergen' }, meta: meta(V2), baseValidFrom: V1 });
    s.send('a', {
      kind: 'request',
      requestID: 'p1',
      method: 'patchDiff',
      entity: org,
      headers: { ifUnmodifiedSince: V1 },
      body: { diff: { name: 'Acme AS' } },
    });
    let { model } = s.model();
    expect(model?.queues.patchDiff).toHaveLength(1);
    expect(model?.phases.map((p) => p.phase)).toEqual(['connecting', 'bootstrap', 'live']);
    s.receive('a', {
      kind: 'response',
      requestID: 'p1',
      method: 'patchDiff',
      entity: org,
      status: 200,
      body: { diff: { name: 'Acme AS', city: 'Bergen' }, meta: meta(V3), baseValidFrom: V1 },
    });
    // A conflicting edit of city on V1 is rejected with the diff since V1.
    s.send('a', {
      kind: 'request',
      requestID: 'p2',
      method: 'patchDiff',
      entity: org,
      headers: { ifUnmodifiedSince: V1 },
      body: { diff: { city: 'Trondheim' } },
    });
    s.receive('a', {
      kind: 'response',
      requestID: 'p2',
      method: 'patchDiff',
      entity: org,
      status: 412,
      body: { error: { message: 'conflict', status: 412 }, diff: { name: 'Acme AS', city: 'Bergen' }, meta: meta(V3), baseValidFrom: V1 },
    });
    // An update whose base is not what a has: a stale subscriber.
    s.receive('a', {
      kind: 'update',
      entity: org,
      diff: { name: 'X' },
      meta: meta('2025-03-01T10:00:09.000Z'),
      baseValidFrom: '2025-03-01T10:00:05.000Z',
    });
    s.close('a');
    const result = s.model();
    model = result.model;
    expect(result.infos.every((i) => i.ok)).toBe(true);
    expect(model?.entities['org/o1']).toMatchObject({ value: { name: 'Acme AS', city: 'Bergen' }, version: '2025-03-01T10:00:09.000Z' });
    expect(model?.queues.patchDiff).toHaveLength(0);
    expect(model?.conflicts.map((c) => [c.rule, c.winner, c.field])).toEqual([
      ['rebase', 'local', 'name'],
      ['precondition-412', 'remote', 'city'],
      ['stale', 'remote', undefined],
    ]);
    expect(model?.conflicts[1]).toMatchObject({ local: { city: 'Trondheim' }, remote: { name: 'Acme AS', city: 'Bergen' } });
    expect(model?.journals['client:a:org/o1']).toMatchObject({ side: 'client', cursor: V3, peer: 'server:org/o1' });
    expect(model?.phases.at(-1)?.phase).toBe('offline');
    expect(model?.entities['subscription:org/o1']).toBeUndefined();
  });

  it('tracks subscriptions, the channel fan-out and unacked downstream updates', () => {
    const s = session();
    s.open('a');
    s.send('a', { kind: 'request', requestID: 'g1', method: 'get', entity: org });
    s.channel('temporal:entity:o1', { kind: 'snapshot', updateID: 'u1', entity: org, value: { name: 'Acme' }, meta: meta(V1) });
    s.channel('temporal:entity:o1', {
      kind: 'downstream',
      updateID: 'u2',
      entity: org,
      diff: { name: 'B' },
      meta: meta(V2),
      baseValidFrom: V1,
    });
    s.channel('temporal:ack', { kind: 'ack', updateID: 'u1', storeID: 's1', entity: org });
    s.channel('temporal:upstream', {
      kind: 'upstream',
      changeID: 'c1',
      storeID: 's1',
      entity: org,
      diff: { name: 'C' },
      baseValidFrom: V2,
    });
    const { model } = s.model();
    expect(model?.entities['subscription:org/o1']?.value).toEqual({ sockets: ['a'], channels: ['temporal:entity:o1'], fanOut: 2 });
    expect(model?.queues.ack?.map((q) => q.id)).toEqual(['u2']);
    expect(model?.queues.upstream?.map((q) => q.id)).toEqual(['c1']);
    expect(model?.entities['org/o1']?.value).toEqual({ name: 'B' });
  });

  it('reports a 409 (unknown base) as a stale conflict that took the whole value', () => {
    const s = session();
    s.send('a', {
      kind: 'request',
      requestID: 'p',
      method: 'patchDiff',
      entity: org,
      headers: { ifUnmodifiedSince: '2020-01-01T00:00:00.000Z' },
      body: { diff: { a: 1 } },
    });
    s.receive('a', {
      kind: 'response',
      requestID: 'p',
      method: 'patchDiff',
      entity: org,
      status: 409,
      body: { error: { message: 'unknown version', status: 409 }, value: { a: 2 }, meta: meta(V1) },
    });
    const { model } = s.model();
    expect(model?.conflicts).toMatchObject([{ rule: 'stale', winner: 'remote', remote: { a: 2 } }]);
    expect(model?.entities['org/o1']?.value).toEqual({ a: 2 });
  });
});

describe('the temporal reducer on a long-lived entity', () => {
  it('keeps every version of an entity patched 30,000 times in order (an append, not a sorted copy, per version) and still sees the versions a late patch merged over', () => {
    const count = 30_000;
    const version = (i: number) => new Date(Date.UTC(2025, 2, 1) + i * 1000).toISOString();
    const s = session();
    s.open('a');
    s.send('a', { kind: 'request', requestID: 'g', method: 'get', entity: org });
    s.receive('a', {
      kind: 'response',
      requestID: 'g',
      method: 'get',
      entity: org,
      status: 200,
      body: { value: { n: 0 }, meta: meta(version(0)) },
    });
    for (let i = 1; i <= count; i++) {
      const base = version(i - 1);
      s.send('a', {
        kind: 'request',
        requestID: `p${i}`,
        method: 'patchDiff',
        entity: org,
        headers: { ifUnmodifiedSince: base },
        body: { diff: { n: i } },
      });
      s.receive('a', {
        kind: 'response',
        requestID: `p${i}`,
        method: 'patchDiff',
        entity: org,
        status: 200,
        body: { diff: { n: i }, meta: meta(version(i)), baseValidFrom: base },
      });
    }
    // A version older than the latest arrives late (a change someone made at 2.5 s before the end): it joins the
    // timeline in its place, not at the end.
    const late = new Date(Date.UTC(2025, 2, 1) + (count - 2) * 1000 + 500).toISOString();
    s.receive('a', { kind: 'update', entity: org, diff: { other: true }, meta: meta(late), baseValidFrom: version(count - 3) });
    // A patch based three versions back is merged over the versions made since: those, in order, are the conflict.
    s.send('a', {
      kind: 'request',
      requestID: 'late',
      method: 'patchDiff',
      entity: org,
      headers: { ifUnmodifiedSince: version(count - 3) },
      body: { diff: { note: 'x' } },
    });
    s.receive('a', {
      kind: 'response',
      requestID: 'late',
      method: 'patchDiff',
      entity: org,
      status: 200,
      // The server's answer: the diff from the base to the merged version, others' changes included.
      body: { diff: { n: count, other: true, note: 'x' }, meta: meta(version(count + 1)), baseValidFrom: version(count - 3) },
    });
    const { model, infos } = s.model();
    expect(infos.every((info) => info.ok)).toBe(true);
    expect(model?.entities['org/o1']).toMatchObject({ version: version(count + 1), value: { n: count, other: true, note: 'x' } });
    const rebase = model?.conflicts.filter((c) => c.rule === 'rebase') ?? [];
    expect(rebase).toHaveLength(1);
    expect(rebase[0]?.remote).toEqual([version(count - 2), late, version(count - 1), version(count)]);
  }, 60_000);
});
