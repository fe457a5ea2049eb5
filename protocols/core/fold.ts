/**
 * Folds frames through the dissectors the registry picks, one connection at a time. The fold is a pure step
 * function over an immutable FoldState, so a state can be kept as a checkpoint by reference and resumed later:
 * state after frame i = fold(frames[0..i]) whether it was reached from the start or from a checkpoint.
 */

import { Map as ImmutableMap } from 'immutable';
import { reasonOf } from './codecs/result.ts';
import type { AnyDissector, ConnInfo, DecodeError, DecodeResult, DissectorEvent, LifecycleMessage } from './dissector.ts';
import { LIFECYCLE_KINDS, type RawFrame } from './frame.ts';
import type { CommonModel } from './model.ts';
import type { Registry } from './registry.ts';

/** What the fold learned about one frame: its protocol, its message type, and whether it decoded. */
export interface FrameInfo {
  protocol: string;
  type: string;
  ok: boolean;
  error?: DecodeError;
}

export interface ConnRecord {
  readonly info: ConnInfo;
  /** Set once the registry has chosen; fixed for the rest of the connection. */
  readonly protocol?: string;
  /** Frames seen before the choice; they are folded, in order, the moment it is made. */
  readonly pending: readonly RawFrame[];
}

/**
 * Connection records by id. The fold returns persistent maps (adding a connection to a copied Map made a session of
 * many connections quadratic: 12,000 of them took a minute); callers may hand it any map, e.g. a one-entry Map.
 */
export type ConnMap = ReadonlyMap<string, ConnRecord> | ImmutableMap<string, ConnRecord>;

export interface FoldState {
  readonly conns: ConnMap;
  /** Protocol state by dissector id; absent until the protocol's first connection. */
  readonly states: Readonly<Record<string, unknown>>;
}

export interface StepResult {
  state: FoldState;
  /** Frames this step settled: the frame itself, or a connection's whole backlog once its protocol is known. */
  settled: Array<{ seq: number; info: FrameInfo }>;
}

export const initialFoldState = (): FoldState => ({ conns: ImmutableMap(), states: {} });

export class Fold {
  /**
   * One shared FrameInfo per protocol/type that decoded: a store keeps an info for every frame, and a million
   * identical small objects were a good part of its memory and allocation. Frozen, since they are shared.
   */
  private readonly okInfos = new Map<string, Map<string, FrameInfo>>();

  constructor(readonly registry: Registry) {}

  private okInfo(protocol: string, type: string): FrameInfo {
    let byType = this.okInfos.get(protocol);
    if (!byType) {
      byType = new Map();
      this.okInfos.set(protocol, byType);
    }
    let info = byType.get(type);
    if (!info) {
      info = Object.freeze({ protocol, type, ok: true });
      byType.set(type, info);
    }
    return info;
  }

  /**
   * The common case of a step, for callers that keep connection records themselves (the session store): a frame of
   * a connection whose protocol is chosen. Returns undefined when the frame changes the record (it adds a fact to
   * the connection), which is left to `step`. Allocates no conns map, result or settled list per frame.
   */
  stepDecided(
    states: FoldState['states'],
    record: ConnRecord,
    frame: RawFrame,
  ): { states: FoldState['states']; info: FrameInfo } | undefined {
    const protocol = record.protocol;
    if (protocol === undefined || mergeConnInfo(record.info, frame) !== record.info) return undefined;
    const dissector = this.registry.get(protocol) as AnyDissector;
    const before = protocol in states ? states[protocol] : undefined;
    const { state, info } = this.applyOne(dissector, protocol, before === undefined ? dissector.init() : before, record.info, frame);
    return { states: state === before ? states : { ...states, [protocol]: state }, info };
  }

  step(state: FoldState, frame: RawFrame): StepResult {
    const previous = state.conns.get(frame.conn);
    const info = mergeConnInfo(previous?.info, frame);
    if (previous?.protocol !== undefined) {
      const conns = info === previous.info ? state.conns : withConn(state.conns, frame.conn, { ...previous, info });
      return this.apply({ conns, states: state.states }, previous.protocol, info, [frame]);
    }
    const pending = [...(previous?.pending ?? []), frame];
    const choice = this.registry.choose(info, pending);
    if (!choice) {
      return { state: { conns: withConn(state.conns, frame.conn, { info, pending }), states: state.states }, settled: [] };
    }
    const conns = withConn(state.conns, frame.conn, { info, protocol: choice.id, pending: [] });
    return this.apply({ conns, states: state.states }, choice.id, info, pending);
  }

  /** End of input: connections still undecided are decided now, heuristics getting their last word. */
  finish(state: FoldState): StepResult {
    let current = state;
    const settled: StepResult['settled'] = [];
    for (const [id, record] of state.conns) {
      if (record.protocol !== undefined) continue;
      const choice = this.registry.choose(record.info, record.pending, true) ?? { id: 'unknown' };
      const conns = withConn(current.conns, id, { info: record.info, protocol: choice.id, pending: [] });
      const result = this.apply({ conns, states: current.states }, choice.id, record.info, record.pending);
      current = result.state;
      settled.push(...result.settled);
    }
    return { state: current, settled };
  }

  /** Protocol each connection was given (undecided ones are absent). */
  protocolsOf(state: FoldState): Map<string, string> {
    const out = new Map<string, string>();
    for (const [id, record] of state.conns) if (record.protocol) out.set(id, record.protocol);
    return out;
  }

  models(state: FoldState): Record<string, CommonModel> {
    const out: Record<string, CommonModel> = {};
    for (const [id, protocolState] of Object.entries(state.states)) {
      const dissector = this.registry.get(id);
      if (!dissector || id === 'unknown') continue;
      try {
        out[id] = dissector.model(protocolState);
      } catch {
        // A model() bug must not take down every other protocol's view.
      }
    }
    return out;
  }

  decode(frame: RawFrame, protocol: string, info: ConnInfo): FrameDecode {
    const dissector = this.registry.get(protocol);
    if (!dissector && !isLifecycle(frame)) return { ok: false, error: { reason: `no dissector "${protocol}"` } };
    return decodeWith(dissector as AnyDissector, protocol, frame, info);
  }

  private apply(state: FoldState, protocol: string, info: ConnInfo, frames: readonly RawFrame[]): StepResult {
    const dissector = this.registry.get(protocol) as AnyDissector;
    const before = protocol in state.states ? state.states[protocol] : undefined;
    let protocolState = before === undefined ? dissector.init() : before;
    const settled: StepResult['settled'] = [];
    for (const frame of frames) {
      const applied = this.applyOne(dissector, protocol, protocolState, info, frame);
      protocolState = applied.state;
      settled.push({ seq: frame.seq, info: applied.info });
    }
    // A reducer that changed nothing leaves the states object as it was (no copy per frame).
    const states = protocolState === before ? state.states : { ...state.states, [protocol]: protocolState };
    return { state: { conns: state.conns, states }, settled };
  }

  /** One frame through its dissector: decoded, then reduced into the protocol's state (unchanged when it fails). */
  private applyOne(
    dissector: AnyDissector,
    protocol: string,
    protocolState: unknown,
    info: ConnInfo,
    frame: RawFrame,
  ): { state: unknown; info: FrameInfo } {
    const result = decodeWith(dissector, protocol, frame, info);
    if (!result.ok) return { state: protocolState, info: { protocol, type: 'undecodable', ok: false, error: result.error } };
    const event = { lifecycle: 'lifecycle' in result, type: result.type, message: result.message } as DissectorEvent<unknown>;
    try {
      return { state: dissector.reduce(protocolState, event, frame, info), info: this.okInfo(protocol, event.type) };
    } catch (thrown) {
      return {
        state: protocolState,
        info: { protocol, type: event.type, ok: false, error: { reason: `reducer of ${protocol} threw: ${reasonOf(thrown)}` } },
      };
    }
  }
}

type FrameDecode = DecodeResult<unknown> | { ok: true; type: string; message: LifecycleMessage; lifecycle: true };

/** A frame as its dissector reads it; a lifecycle frame needs no dissector, and a dissector that throws is an error. */
function decodeWith(dissector: AnyDissector, protocol: string, frame: RawFrame, info: ConnInfo): FrameDecode {
  if (isLifecycle(frame)) {
    return {
      ok: true,
      type: frame.kind,
      message: { kind: frame.kind as LifecycleMessage['kind'], meta: frame.meta ?? {} },
      lifecycle: true,
    };
  }
  try {
    return dissector.decode(frame, info);
  } catch (thrown) {
    return { ok: false, error: { reason: `dissector ${protocol} threw: ${reasonOf(thrown)}` } };
  }
}

export function isLifecycle(frame: RawFrame): boolean {
  return LIFECYCLE_KINDS.has(frame.kind) && frame.text === undefined && frame.b64 === undefined && frame.json === undefined;
}

function withConn(conns: ConnMap, id: string, record: ConnRecord): ConnMap {
  const persistent = ImmutableMap.isMap(conns)
    ? (conns as ImmutableMap<string, ConnRecord>)
    : ImmutableMap(conns as ReadonlyMap<string, ConnRecord>);
  return persistent.set(id, record);
}

/** Connection facts accumulate from its frames (an open frame's URL, a channel name); the first value wins. */
function mergeConnInfo(info: ConnInfo | undefined, frame: RawFrame): ConnInfo {
  const meta = frame.meta;
  const base: ConnInfo = info ?? { id: frame.conn, transport: frame.transport };
  // Most frames of a known connection add nothing: answer that without allocating (this runs for every frame).
  if (
    !meta ||
    ((base.url !== undefined || meta.url === undefined) &&
      (base.subprotocol !== undefined || !meta.subprotocol) &&
      (base.channel !== undefined || meta.channel === undefined) &&
      (base.db !== undefined || meta.db === undefined))
  )
    return base;
  const merged: ConnInfo = { ...base };
  if (base.url === undefined && meta.url !== undefined) merged.url = meta.url;
  if (base.subprotocol === undefined && meta.subprotocol) merged.subprotocol = meta.subprotocol;
  if (base.channel === undefined && meta.channel !== undefined) merged.channel = meta.channel;
  if (base.db === undefined && meta.db !== undefined) merged.db = meta.db;
  return merged;
}
