import type { RawFrame } from '@syncscope/protocols/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HookEvent } from '../bridge/messages.ts';
import { Capture, DELIVERY_INTERVAL_MS, type FramePart } from './capture.ts';
import { REDACTED, Redactor } from './redact.ts';

/** A scheduler the test runs by hand, so "one delivery per task" is counted, not timed. */
function manual() {
  const queue: Array<() => void> = [];
  return {
    schedule: (run: () => void) => queue.push(run),
    runAll: () => {
      for (const run of queue.splice(0)) run();
    },
    queue,
  };
}

const message = (text: string): FramePart => ({ transport: 'websocket', conn: 'ws-1', dir: 'in', kind: 'message', text });
const framesOf = (events: HookEvent[]) => events.flatMap((e) => (e.type === 'frames' ? e.frames : []));

describe('Capture', () => {
  it('records nothing while nobody listens and recording is off', () => {
    const tasks = manual();
    const capture = new Capture({ schedule: tasks.schedule });
    capture.emit(message('lost'));
    expect(capture.active).toBe(false);
    expect(capture.status()).toEqual({ capturing: false, recording: false, buffered: 0, dropped: 0 });
    const events: HookEvent[] = [];
    capture.subscribe((e) => events.push(e));
    tasks.runAll();
    expect(events).toEqual([]);
  });

  it('delivers a burst as one batch per task, numbered in order', () => {
    const tasks = manual();
    const capture = new Capture({ schedule: tasks.schedule, now: () => 7 });
    const events: HookEvent[] = [];
    capture.subscribe((e) => events.push(e));
    for (let i = 0; i < 500; i++) capture.emit(message(`m${i}`));
    expect(tasks.queue.length).toBe(1);
    tasks.runAll();
    capture.emit(message('next task'));
    tasks.runAll();
    expect(events.map((e) => e.type)).toEqual(['frames', 'frames']);
    const frames = framesOf(events);
    expect(frames.map((f) => f.seq)).toEqual([...Array(501).keys()]);
    expect(frames[0]).toMatchObject({ t: 7, text: 'm0' });
  });

  describe('default pacing', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('delivers an idle frame on the next task, and a stream of one frame per task once per interval', () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
      const capture = new Capture();
      const events: HookEvent[] = [];
      capture.subscribe((e) => events.push(e));
      capture.emit(message('alone'));
      vi.advanceTimersByTime(0);
      expect(framesOf(events).map((f) => f.text)).toEqual(['alone']);
      // 100 ms of a socket delivering a message every millisecond, each in a task of its own.
      for (let ms = 0; ms < 100; ms++) {
        capture.emit(message(`m${ms}`));
        vi.advanceTimersByTime(1);
      }
      vi.advanceTimersByTime(DELIVERY_INTERVAL_MS);
      const batches = events.filter((e) => e.type === 'frames').length;
      expect(framesOf(events)).toHaveLength(101);
      expect(framesOf(events).map((f) => f.seq)).toEqual([...Array(101).keys()]);
      expect(batches).toBeGreaterThanOrEqual(100 / DELIVERY_INTERVAL_MS);
      expect(batches).toBeLessThanOrEqual(100 / DELIVERY_INTERVAL_MS + 2);
    });
  });

  it('holds a bounded buffer while recording with nobody listening, and counts what it drops exactly', () => {
    const tasks = manual();
    const capture = new Capture({ schedule: tasks.schedule, bufferSize: 100 });
    capture.setRecording(true);
    for (let i = 0; i < 5000; i++) capture.emit(message(`m${i}`));
    expect(capture.status()).toEqual({ capturing: true, recording: true, buffered: 100, dropped: 4900 });
    const events: HookEvent[] = [];
    capture.subscribe((e) => events.push(e));
    tasks.runAll();
    const batch = events[0] as Extract<HookEvent, { type: 'frames' }>;
    expect(batch.dropped).toBe(4900);
    expect(batch.frames.map((f) => f.text)).toEqual([...Array(100).keys()].map((i) => `m${4900 + i}`));
    expect(capture.status().buffered).toBe(0);
  });

  it('keeps a reserved frame in its place until its payload is read', () => {
    const tasks = manual();
    const capture = new Capture({ schedule: tasks.schedule });
    const events: HookEvent[] = [];
    capture.subscribe((e) => events.push(e));
    capture.emit(message('before'));
    const complete = capture.reserve({ transport: 'websocket', conn: 'ws-1', dir: 'in', kind: 'message' });
    capture.emit(message('after'));
    tasks.runAll();
    expect(framesOf(events).map((f) => f.text)).toEqual(['before']);
    complete({ b64: 'AAE=', size: 2 });
    tasks.runAll();
    expect(framesOf(events).map((f) => f.text ?? f.b64)).toEqual(['before', 'AAE=', 'after']);
    expect(framesOf(events).map((f) => f.seq)).toEqual([0, 1, 2]);
  });

  it('catches a tap bug and a listener bug, and reports the tap bug', () => {
    const capture = new Capture({ schedule: () => {} });
    const events: HookEvent[] = [];
    capture.subscribe(() => {
      throw new Error('listener bug');
    });
    capture.subscribe((e) => events.push(e));
    expect(
      capture.guard('websocket', () => {
        throw new TypeError('tap bug');
      }),
    ).toBeUndefined();
    expect(events).toEqual([{ type: 'tap-error', tap: 'websocket', message: 'TypeError: tap bug' }]);
  });

  it('announces connections opened while paused when capture starts, and forwards a worker frame under its name', () => {
    const tasks = manual();
    const capture = new Capture({ schedule: tasks.schedule });
    capture.onActivate(() =>
      capture.emit({ transport: 'websocket', conn: 'ws-9', dir: 'out', kind: 'open', meta: { url: 'ws://x/', late: true } }),
    );
    const events: HookEvent[] = [];
    capture.subscribe((e) => events.push(e));
    capture.forward(
      { seq: 40, t: 1, transport: 'broadcast', conn: 'broadcast:x', dir: 'local', kind: 'message', json: 1 } as RawFrame,
      'w1',
    );
    tasks.runAll();
    expect(framesOf(events).map((f) => [f.seq, f.conn])).toEqual([
      [0, 'ws-9'],
      [1, 'w1|broadcast:x'],
    ]);
  });

  it('redacts headers, URLs, text and structured payloads, and lists what it touched', () => {
    const capture = new Capture({ schedule: () => {} });
    const events: HookEvent[] = [];
    capture.subscribe((e) => events.push(e));
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig_nature';
    capture.emit({
      transport: 'http',
      conn: 'http-1',
      dir: 'out',
      kind: 'request',
      text: `{"user":"ann","password":"pw","syncToken":42,"nested":{"access_token":"t"},"note":"Bearer ${jwt}"}`,
      meta: { url: 'https://x/y?api_key=k&cursor=5', headers: { authorization: 'Bearer x', cookie: 'a=b', accept: '*/*' } },
    });
    capture.emit({
      transport: 'broadcast',
      conn: 'b',
      dir: 'local',
      kind: 'message',
      json: { secret: 's', list: [{ token: 'x' }], m: new Map([['password', 'p']]), ok: 'plain' },
    });
    capture.flush();
    const [request, broadcast] = framesOf(events) as [RawFrame, RawFrame];
    expect(JSON.parse(request.text as string)).toEqual({
      user: 'ann',
      password: REDACTED,
      syncToken: 42,
      nested: { access_token: REDACTED },
      note: `Bearer ${REDACTED}`,
    });
    expect(request.meta?.headers).toEqual({ authorization: REDACTED, cookie: REDACTED, accept: '*/*' });
    expect(request.meta?.url).toBe('https://x/y?api_key=%5Bredacted%5D&cursor=5');
    expect(request.meta?.redacted?.sort()).toEqual([
      'field:access_token',
      'field:api_key',
      'field:password',
      'header:authorization',
      'header:cookie',
      'jwt',
    ]);
    expect(broadcast.json).toEqual({ secret: REDACTED, list: [{ token: REDACTED }], m: new Map([['password', REDACTED]]), ok: 'plain' });
  });

  it('redaction is configurable and its list is what the recording header carries', () => {
    const redactor = new Redactor({ headers: ['x-session'], fields: ['^pin$'], jwt: false });
    expect(redactor.list).toEqual(['header:x-session', 'field:/^pin$/i']);
    const hits = new Set<string>();
    expect(redactor.text('{"pin":1234,"password":"kept"} eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.x', hits)).toBe(
      '{"pin":"[redacted]","password":"kept"} eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.x',
    );
    expect([...hits]).toEqual(['field:pin']);
  });

  it('close() detaches everyone and stops capture for good', () => {
    const tasks = manual();
    const capture = new Capture({ schedule: tasks.schedule });
    const events: HookEvent[] = [];
    capture.subscribe((e) => events.push(e));
    capture.addSink((e) => events.push(e));
    capture.emit(message('buffered, then forgotten'));
    capture.close();
    capture.emit(message('after close'));
    tasks.runAll();
    expect(capture.active).toBe(false);
    expect(events).toEqual([]);
  });
});
