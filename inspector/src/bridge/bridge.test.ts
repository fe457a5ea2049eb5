import type { RawFrame } from '@syncscope/protocols/core';
import { describe, expect, it } from 'vitest';
import {
  BackgroundToPanel,
  BRIDGE_VERSION,
  ChunkAssembler,
  eventFromJson,
  eventToJson,
  HookToRelay,
  PanelToBackground,
  parseMessage,
  RelayToBackground,
  RelayToHook,
  SOURCE,
  splitForChannel,
} from './index.ts';

const frame = (over: Partial<RawFrame> = {}): RawFrame =>
  ({ seq: 1, t: 2, transport: 'websocket', conn: 'c', dir: 'in', kind: 'message', text: 'hi', ...over }) as RawFrame;

describe('bridge messages', () => {
  it('accepts well-formed messages of each direction and tags', () => {
    const hello = {
      source: SOURCE.hook,
      v: BRIDGE_VERSION,
      event: {
        type: 'hello',
        url: 'http://x/',
        context: 'page',
        redactions: ['header:authorization'],
        status: { capturing: false, recording: false, buffered: 0, dropped: 0 },
      },
    };
    expect(parseMessage(HookToRelay, hello).ok).toBe(true);
    expect(parseMessage(RelayToHook, { source: SOURCE.relay, v: 1, command: { type: 'listen', on: true } }).ok).toBe(true);
    expect(
      parseMessage(PanelToBackground, {
        source: SOURCE.panel,
        v: 1,
        type: 'command',
        tabId: 3,
        command: { type: 'snapshot-idb', requestId: 'r1' },
      }).ok,
    ).toBe(true);
    expect(
      parseMessage(BackgroundToPanel, { source: SOURCE.background, v: 1, type: 'tab', tabId: 3, state: 'navigated', url: 'http://x/' }).ok,
    ).toBe(true);
    expect(
      parseMessage(RelayToBackground, {
        source: SOURCE.relay,
        v: 1,
        type: 'hook',
        event: { type: 'frames', frames: [frame()], dropped: 0 },
      }).ok,
    ).toBe(true);
  });

  it('rejects what the page could forge, naming the field', () => {
    const wrongSource = parseMessage(HookToRelay, {
      source: SOURCE.panel,
      v: 1,
      event: { type: 'status', status: { capturing: true, recording: false, buffered: 0, dropped: 0 } },
    });
    expect(wrongSource).toMatchObject({ ok: false, error: expect.stringMatching(/^source:/) });
    expect(parseMessage(HookToRelay, { source: SOURCE.hook, v: 2, event: {} })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^v:/),
    });
    const badFrame = parseMessage(HookToRelay, {
      source: SOURCE.hook,
      v: 1,
      event: { type: 'frames', frames: [{ ...frame(), dir: 'sideways' }], dropped: 0 },
    });
    expect(badFrame).toMatchObject({ ok: false, error: expect.stringMatching(/^event\.frames\.0\.dir:/) });
    expect(parseMessage(RelayToHook, { source: SOURCE.relay, v: 1, command: { type: 'rm -rf' } }).ok).toBe(false);
  });

  it('carries structured payloads over JSON hops as tagged JSON', () => {
    const event = {
      type: 'frames' as const,
      frames: [frame({ text: undefined, json: { bytes: new Uint8Array([1, 2]), when: new Date(5), m: new Map([[1, 2]]) } })],
      dropped: 0,
    };
    const overJson = JSON.parse(JSON.stringify(eventToJson(event)));
    expect(eventFromJson(overJson)).toEqual(event);
  });
});

describe('chunking', () => {
  it('passes a message that fits unchanged', () => {
    const message = { a: 'small' };
    expect(splitForChannel(message, SOURCE.relay, 4096)).toEqual([message]);
  });

  it('splits by measured UTF-8 size, each chunk within budget, and reassembles in any order', () => {
    const text = 'ü€😀'.repeat(5000) + '"\\\n'.repeat(3000);
    const message = { source: SOURCE.relay, v: 1, type: 'hook', event: { type: 'frames', frames: [frame({ text })], dropped: 0 } };
    const budget = 8192;
    const chunks = splitForChannel(message, SOURCE.relay, budget);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(new TextEncoder().encode(JSON.stringify(chunk)).length).toBeLessThanOrEqual(budget);
    const assembler = new ChunkAssembler();
    const shuffled = [...chunks].reverse();
    const results = shuffled.map((c) => assembler.accept(c));
    expect(results.slice(0, -1).every((r) => r.kind === 'partial')).toBe(true);
    expect(results.at(-1)).toEqual({ kind: 'message', message });
    expect(assembler.inFlight).toBe(0);
  });

  it('reports bad chunks as errors and bounds what it holds', () => {
    const assembler = new ChunkAssembler(100, 2);
    const chunk = { source: SOURCE.relay, v: 1, type: 'chunk', id: 'x', index: 0, count: 2, b64: 'AAAA' };
    expect(assembler.accept({ ...chunk, index: 5 })).toMatchObject({ kind: 'error', error: expect.stringMatching(/not below its count/) });
    expect(assembler.accept(chunk).kind).toBe('partial');
    expect(assembler.accept(chunk)).toMatchObject({ kind: 'error', error: expect.stringMatching(/arrived twice/) });
    expect(assembler.accept({ ...chunk, b64: 'A'.repeat(400) })).toMatchObject({
      kind: 'error',
      error: expect.stringMatching(/exceeds 100 bytes/),
    });
    expect(assembler.accept({ ...chunk, index: 'zero' })).toMatchObject({
      kind: 'error',
      error: expect.stringMatching(/^bad chunk: index/),
    });
    for (const id of ['p', 'q', 'r']) assembler.accept({ ...chunk, id });
    expect(assembler.inFlight).toBe(2);
    expect(() => splitForChannel({}, SOURCE.relay, 10)).toThrow(/too small/);
  });
});
