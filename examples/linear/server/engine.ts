/**
 * POST /change: a batch of transactions checked one by one and applied in one SQLite transaction. Each answer is
 * its sync id or a clear rejection. A change is stale (the note's "reject old changes") when a field it sets was
 * changed on the server after the sync id the client based it on: the first writer wins and the late one is told
 * so, with the server's copy to roll back to.
 */

import type { Store, StoredObject } from './db.ts';
import { type JsonModel, type SyncAction, TrackerModel, type Transaction, type TransactionResult, zodFirstIssue } from './deps.ts';

const CREATABLE = new Set(['Issue', 'Project', 'Label']);
/** Reference fields of the tracker and the class they point at. */
const REFERENCES: Record<string, string> = { teamId: 'Team', projectId: 'Project', assigneeId: 'User', labelIds: 'Label' };
const FIXED_FIELDS = new Set(['id', '__class', 'teamId']);

type Rejection = Extract<TransactionResult, { ok: false }>;

export interface BatchOutcome {
  results: TransactionResult[];
  actions: SyncAction[];
  lastSyncId: number;
}

const reject = (id: string, code: Rejection['code'], message: string, extra: Partial<Rejection> = {}): Rejection => ({
  id,
  ok: false,
  code,
  message,
  ...extra,
});

/** A model as the tracker's schema has it, or the field that is wrong. */
function validModel(value: unknown): { ok: true; model: JsonModel } | { ok: false; field: string; message: string } {
  const parsed = TrackerModel.safeParse(value);
  if (parsed.success) return { ok: true, model: parsed.data as JsonModel };
  const issue = zodFirstIssue(parsed.error.issues);
  return { ok: false, field: issue.field, message: issue.message };
}

/** Every reference must name a live object of the right class in the user's team. */
function checkReferences(store: Store, team: string, model: JsonModel): { field: string; message: string } | undefined {
  for (const [field, target] of Object.entries(REFERENCES)) {
    const value = model[field];
    const ids = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
    for (const id of ids) {
      const found = typeof id === 'string' ? store.object(target, id) : undefined;
      if (!found || found.deleted || found.team !== team) return { field, message: `${field}: no ${target} "${String(id)}" in your team` };
    }
  }
  return undefined;
}

function current(object: StoredObject | undefined): JsonModel | null {
  return object && !object.deleted ? object.data : null;
}

function applyOne(store: Store, team: string, clientId: string, tx: Transaction): { result: TransactionResult; action?: SyncAction } {
  const meta = { id: tx.id, clientId };
  if (tx.type === 'create') {
    if (!CREATABLE.has(tx.modelType)) return { result: reject(tx.id, 'forbidden', `${tx.modelType} cannot be created by clients`) };
    if (tx.model.__class !== tx.modelType)
      return {
        result: reject(tx.id, 'invalid', `model.__class "${tx.model.__class}" does not match modelType "${tx.modelType}"`, {
          field: '__class',
        }),
      };
    const model = validModel(tx.model);
    if (!model.ok) return { result: reject(tx.id, 'invalid', model.message, { field: model.field }) };
    if (model.model.teamId !== team)
      return { result: reject(tx.id, 'forbidden', `teamId: you may only create objects in team ${team}`, { field: 'teamId' }) };
    const bad = checkReferences(store, team, model.model);
    if (bad) return { result: reject(tx.id, 'invalid', bad.message, { field: bad.field }) };
    const existing = store.object(tx.modelType, model.model.id);
    if (existing)
      return {
        result: reject(tx.id, 'conflict', `${tx.modelType} ${model.model.id} already exists`, {
          current: current(existing),
          syncId: existing.syncId,
        }),
      };
    const action = store.record(
      team,
      'I',
      { modelName: tx.modelType, id: model.model.id, team, data: model.model, deleted: false, archived: false },
      Object.keys(model.model),
      meta,
    );
    return { result: { id: tx.id, ok: true, syncId: action.id }, action };
  }
  const object = store.object(tx.modelClass, tx.modelId);
  if (!object || object.team !== team || object.deleted)
    return { result: reject(tx.id, 'not-found', `no ${tx.modelClass} "${tx.modelId}" in your team`, { current: null }) };
  if (tx.type === 'update') {
    const changes = Object.entries(tx.changeSnapshot.changes);
    if (changes.length === 0)
      return { result: reject(tx.id, 'invalid', 'changeSnapshot.changes: no field to change', { field: 'changeSnapshot.changes' }) };
    for (const [field, change] of changes) {
      if (FIXED_FIELDS.has(field)) return { result: reject(tx.id, 'invalid', `${field} cannot be changed`, { field }) };
      // A client's own later edit of a field it changed before is not stale: only someone else's change is.
      const { syncId: changedAt, clientId: changedBy } = store.fieldChange(tx.modelClass, tx.modelId, field);
      const staleBySyncId = tx.baseSyncId !== undefined && changedAt > tx.baseSyncId && changedBy !== clientId;
      const staleByValue =
        tx.baseSyncId === undefined &&
        'original' in change &&
        JSON.stringify(change.original) !== JSON.stringify(object.data[field] ?? null);
      if (staleBySyncId || staleByValue) {
        const base = tx.baseSyncId === undefined ? 'the original value you sent' : `your copy at sync id ${tx.baseSyncId}`;
        return {
          result: reject(tx.id, 'stale', `${field} was changed at sync id ${changedAt}, after ${base}`, {
            field,
            current: object.data,
            syncId: object.syncId,
          }),
        };
      }
    }
    const merged = { ...object.data, ...Object.fromEntries(changes.map(([field, change]) => [field, change.updated])) };
    const model = validModel(merged);
    if (!model.ok) return { result: reject(tx.id, 'invalid', model.message, { field: model.field }) };
    const bad = checkReferences(store, team, model.model);
    if (bad) return { result: reject(tx.id, 'invalid', bad.message, { field: bad.field }) };
    const action = store.record(
      team,
      'U',
      { ...object, data: model.model },
      changes.map(([field]) => field),
      meta,
    );
    return { result: { id: tx.id, ok: true, syncId: action.id }, action };
  }
  if (!CREATABLE.has(tx.modelClass)) return { result: reject(tx.id, 'forbidden', `${tx.modelClass} cannot be ${tx.type}d by clients`) };
  const letter = tx.type === 'delete' ? 'D' : tx.type === 'archive' ? 'A' : 'S';
  const action = store.record(team, letter, { ...object, deleted: tx.type === 'delete', archived: tx.type === 'archive' }, [], meta);
  return { result: { id: tx.id, ok: true, syncId: action.id }, action };
}

/** Applies a batch atomically: all accepted changes and all answers are written in one SQLite transaction. */
export function applyBatch(store: Store, team: string, clientId: string, transactions: readonly Transaction[]): BatchOutcome {
  return store.db.transaction(() => {
    const results: TransactionResult[] = [];
    const actions: SyncAction[] = [];
    for (const tx of transactions) {
      // A resent transaction (lost reply, client or server restart) gets the answer it already had.
      const known = store.appliedResult(tx.id);
      if (known) {
        results.push(known);
        continue;
      }
      const { result, action } = applyOne(store, team, clientId, tx);
      store.rememberResult(clientId, result);
      results.push(result);
      if (action) actions.push(action);
    }
    return { results, actions, lastSyncId: store.lastSyncId() };
  })();
}
