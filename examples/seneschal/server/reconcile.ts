/**
 * The note's reconciliation, as a pure function: dispatches sorted by timestamp are played onto the master copy
 * property by property, and a property changes only when the dispatch's timestamp is later than the timestamp the
 * master copy holds for that property ("for prop in props: if timestamp(update) > timestamp(reference)").
 * Ties go to the larger client id, so every server replaying the same dispatches agrees.
 */
import { DELETED_PROP, type Envelope, methodOf, propsOf, sliceOf } from '@syncscope/protocols/seneschal';
import type { MasterObject } from './db.ts';

export interface Reconciled {
  object: MasterObject;
  /** Properties some dispatch won, with the master's value and timestamp after the whole batch. */
  won: Set<string>;
  /** Properties of the batch the master copy kept (an older dispatch lost to a newer one already there). */
  lost: Set<string>;
}

/** Per-property timestamps also remember who wrote, for the tie-break. */
type Writers = Record<string, string>;

export function reconcile(master: MasterObject | undefined, oid: string, envelopes: readonly Envelope[]): Reconciled {
  const sorted = [...envelopes].sort((a, b) => a.timestamp - b.timestamp || a.clientID.localeCompare(b.clientID));
  const props = { ...(master?.props ?? {}) };
  const times = { ...(master?.times ?? {}) };
  const writers: Writers = {};
  const won = new Set<string>();
  const touched = new Set<string>();
  let slice = master?.slice;
  for (const envelope of sorted) {
    slice ??= sliceOf(envelope.dispatch.action);
    const changes = { ...propsOf(envelope) };
    // An upsert after a delete brings the object back: the deletion marker is a property like the others.
    if (methodOf(envelope.dispatch.action) !== 'delete' && props[DELETED_PROP] === true) changes[DELETED_PROP] ??= false;
    for (const [prop, value] of Object.entries(changes)) {
      touched.add(prop);
      const current = times[prop];
      const wins =
        current === undefined ||
        envelope.timestamp > current ||
        (envelope.timestamp === current && envelope.clientID > (writers[prop] ?? ''));
      if (!wins) continue;
      props[prop] = value;
      times[prop] = envelope.timestamp;
      writers[prop] = envelope.clientID;
      won.add(prop);
    }
  }
  const lost = new Set([...touched].filter((p) => !won.has(p)));
  return { object: { oid, slice: slice ?? 'objects', props, times }, won, lost };
}

/** The part of the master copy a dispatch carries: the given props, their values and per-prop timestamps. */
export function pick(object: MasterObject, props: Iterable<string>): { data: Record<string, unknown>; times: Record<string, number> } {
  const data: Record<string, unknown> = {};
  const times: Record<string, number> = {};
  for (const prop of props) {
    if (!(prop in object.props)) continue;
    data[prop] = object.props[prop];
    const time = object.times[prop];
    if (time !== undefined) times[prop] = time;
  }
  return { data, times };
}
