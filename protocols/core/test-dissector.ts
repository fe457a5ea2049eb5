/**
 * A small protocol used only by the core's own tests: JSON messages `{op: "set", key, value}` and
 * `{op: "ack", key}`, keyed state with last-writer-wins, a queue of unacked sets and a conflict when a set
 * overwrites a different value. It exercises every part of the contract without depending on a real protocol.
 */
import { z } from 'zod';
import { decodeJson } from './codecs/json.ts';
import { defineDissector, zodDecodeError } from './dissector.ts';
import type { CommonModel } from './model.ts';
import { payloadOf } from './payload.ts';

const TestMessage = z.discriminatedUnion('op', [
  z.object({ op: z.literal('set'), key: z.string(), value: z.number() }),
  z.object({ op: z.literal('ack'), key: z.string() }),
]);
type TestMessage = z.infer<typeof TestMessage>;

interface TestState {
  values: Readonly<Record<string, { value: number; frame: number }>>;
  pending: ReadonlyArray<{ key: string; frame: number; t: number }>;
  conflicts: ReadonlyArray<{ key: string; local: number; remote: number; frame: number }>;
  open: number;
}

export const testDissector = defineDissector<TestMessage, TestState>({
  id: 'test',
  label: 'Test protocol',
  exact: { urlPath: /^\/test-sync/, channel: /^test-/ },
  match(_conn, frames) {
    return frames.some((f) => f.text?.startsWith('{"op"')) ? 0.9 : 0;
  },
  decode(frame) {
    const payload = payloadOf(frame);
    if (payload.form !== 'text') return { ok: false, error: { reason: 'expected a text frame' } };
    const json = decodeJson(payload.text);
    if (!json.ok) return { ok: false, error: { reason: json.error.reason, codec: 'json', offset: json.error.offset } };
    const parsed = TestMessage.safeParse(json.value);
    if (!parsed.success) return { ok: false, error: zodDecodeError(parsed.error.issues) };
    return { ok: true, type: parsed.data.op, message: parsed.data };
  },
  init: () => ({ values: {}, pending: [], conflicts: [], open: 0 }),
  reduce(state, event, frame) {
    if (event.lifecycle) return event.type === 'open' ? { ...state, open: state.open + 1 } : state;
    const message = event.message;
    if (message.op === 'ack') return { ...state, pending: state.pending.filter((p) => p.key !== message.key) };
    const previous = state.values[message.key];
    const conflicts =
      previous && previous.value !== message.value
        ? [...state.conflicts, { key: message.key, local: message.value, remote: previous.value, frame: frame.seq }]
        : state.conflicts;
    return {
      ...state,
      values: { ...state.values, [message.key]: { value: message.value, frame: frame.seq } },
      pending: [...state.pending, { key: message.key, frame: frame.seq, t: frame.t }],
      conflicts,
    };
  },
  summarize: (message) => (message.op === 'set' ? `set ${message.key} = ${message.value}` : `ack ${message.key}`),
  model(state): CommonModel {
    return {
      entities: Object.fromEntries(
        Object.entries(state.values).map(([key, v]) => [key, { type: 'value', value: v.value, lastFrame: v.frame }]),
      ),
      queues: { sets: state.pending.map((p) => ({ id: p.key, enqueuedAt: p.t, attempts: 1, frame: p.frame })) },
      journals: {},
      conflicts: state.conflicts.map((c) => ({
        entity: c.key,
        local: c.local,
        remote: c.remote,
        winner: 'local',
        rule: 'lww-property',
        frames: [c.frame],
      })),
      phases: [],
    };
  },
});
