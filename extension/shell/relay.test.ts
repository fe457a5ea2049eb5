import { BRIDGE_VERSION, ChunkAssembler, parseMessage, RelayToBackground, SOURCE } from '@syncscope/inspector/bridge';
import { describe, expect, it } from 'vitest';
import { fromPage } from './relay.ts';

const frame = (over: Record<string, unknown> = {}) => ({
  seq: 1,
  t: 2,
  transport: 'broadcast',
  conn: 'bc',
  dir: 'local',
  kind: 'message',
  json: { a: 1 },
  ...over,
});
const fromHook = (frames: unknown[]) => ({ source: SOURCE.hook, v: BRIDGE_VERSION, event: { type: 'frames', frames, dropped: 0 } });

describe('relay: what the page posts', () => {
  it('forwards a valid hook message as tagged JSON and drops anything else', () => {
    const [message, ...rest] = fromPage(fromHook([frame({ json: new Map([[1, 'x']]) })]));
    expect(rest).toEqual([]);
    const parsed = parseMessage(RelayToBackground, JSON.parse(JSON.stringify(message)));
    expect(parsed).toMatchObject({ ok: true, message: { type: 'hook', event: { frames: [{ json: { $sc: 'map' } }] } } });
    for (const bad of [
      null,
      'x',
      { ...fromHook([frame()]), v: 2 },
      { ...fromHook([frame()]), source: SOURCE.relay },
      fromHook([{ seq: 'x' }]),
    ]) {
      expect(fromPage(bad)).toEqual([]);
    }
  });

  it('chunks an event bigger than the port budget', () => {
    const parts = fromPage(fromHook([frame({ json: undefined, text: 'x'.repeat(10_000) })]), 4096);
    expect(parts.length).toBeGreaterThan(2);
    const assembler = new ChunkAssembler();
    const results = parts.map((part) => assembler.accept(JSON.parse(JSON.stringify(part))));
    expect(results.at(-1)).toMatchObject({ kind: 'message', message: { type: 'hook', event: { type: 'frames' } } });
  });

  it('reports a valid event nested too deep for the JSON hop as a tap-error instead of throwing', () => {
    let deep: unknown = ['bottom'];
    for (let i = 0; i < 50_000; i++) deep = [deep];
    const parts = fromPage(fromHook([frame({ json: deep })]));
    expect(parts).toHaveLength(1);
    expect(parseMessage(RelayToBackground, parts[0])).toMatchObject({
      ok: true,
      message: {
        type: 'hook',
        event: { type: 'tap-error', tap: 'relay', message: expect.stringMatching(/^dropped a frames event that cannot cross/) },
      },
    });
  });

  it('names the page a hello comes from itself: a forged hello cannot pass for another site', () => {
    const hello = {
      source: SOURCE.hook,
      v: BRIDGE_VERSION,
      event: {
        type: 'hello',
        url: 'https://bank.example/',
        context: 'page',
        redactions: [],
        status: { capturing: true, recording: true, buffered: 0, dropped: 0 },
      },
    };
    const [message] = fromPage(hello, undefined, 'http://127.0.0.1:5173/app');
    expect(message).toMatchObject({ type: 'hook', event: { type: 'hello', url: 'http://127.0.0.1:5173/app' } });
  });
});
