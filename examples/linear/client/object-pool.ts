/**
 * The ObjectPool singleton of the note: every object the client holds, inserted in topological order of its
 * id-reference fields (fields ending in `Id`, or `Ids` for arrays) so that whatever an object points at is in the
 * pool before it. The first object inserted is the pool's `root`; the graph counts as hydrated only once every
 * object of the bootstrap is in. A reference cycle or a dangling reference is reported, never looped on.
 */
import type { JsonModel } from '@syncscope/protocols/linear';

export interface PoolObject {
  model: JsonModel;
  /** The sync id of the last server change applied to it (0 for objects only this client knows yet). */
  syncId: number;
}

export type PoolProblem = { kind: 'dangling'; from: string; field: string; to: string } | { kind: 'cycle'; ids: string[] };

export const poolKey = (modelName: string, id: string): string => `${modelName}/${id}`;

/** The ids a model references, by field: `fooId: string` and `fooIds: string[]`; `id` itself is not a reference. */
export function referencesOf(model: JsonModel): Array<{ field: string; to: string }> {
  const refs: Array<{ field: string; to: string }> = [];
  for (const [field, value] of Object.entries(model)) {
    if (field === 'id') continue;
    if (field.endsWith('Id') && typeof value === 'string') refs.push({ field, to: value });
    else if (field.endsWith('Ids') && Array.isArray(value)) for (const to of value) if (typeof to === 'string') refs.push({ field, to });
  }
  return refs;
}

/** Calls `visit` for each reference of a model, as `referencesOf` lists them, without building the list. */
function forEachReference(model: JsonModel, visit: (field: string, to: string) => void): void {
  for (const field in model) {
    if (field === 'id' || !Object.hasOwn(model, field)) continue;
    const value = (model as Record<string, unknown>)[field];
    if (typeof value === 'string') {
      if (field.endsWith('Id')) visit(field, value);
    } else if (Array.isArray(value) && field.endsWith('Ids')) for (const to of value) if (typeof to === 'string') visit(field, to);
  }
}

/**
 * Orders models so that each comes after everything it references (Kahn's algorithm, stable in input order).
 * Objects caught in a cycle come last, in input order; dangling references are reported and otherwise ignored.
 */
export function topologicalOrder(models: readonly JsonModel[]): { order: JsonModel[]; problems: PoolProblem[] } {
  const { order, problems } = topologicalIndices(models);
  return { order: order.map((index) => models[index] as JsonModel), problems };
}

/**
 * `topologicalOrder` as indices into `models`. Flat typed arrays instead of a list and a set per model: a
 * bootstrap of 100,000 objects sorts without 300,000 small allocations.
 */
function topologicalIndices(models: readonly JsonModel[]): { order: number[]; problems: PoolProblem[] } {
  const count = models.length;
  const byId = new Map<string, number>();
  models.forEach((model, index) => {
    byId.set(model.id, index);
  });
  const problems: PoolProblem[] = [];
  // Edges target -> dependent, first as a list of pairs, then grouped by target (compressed rows).
  const edgeFrom: number[] = [];
  const edgeTo: number[] = [];
  const waitingOn = new Int32Array(count);
  const lastSeenBy = new Int32Array(count).fill(-1);
  models.forEach((model, index) => {
    forEachReference(model, (field, to) => {
      const target = byId.get(to);
      if (target === undefined) {
        problems.push({ kind: 'dangling', from: poolKey(model.__class, model.id), field, to });
      } else if (target !== index && lastSeenBy[target] !== index) {
        lastSeenBy[target] = index; // one edge per pair, however many fields name the same target
        edgeFrom.push(target);
        edgeTo.push(index);
        waitingOn[index] = (waitingOn[index] ?? 0) + 1;
      }
    });
  });
  const start = new Int32Array(count + 1);
  for (const target of edgeFrom) start[target + 1] = (start[target + 1] ?? 0) + 1;
  for (let i = 0; i < count; i++) start[i + 1] = (start[i + 1] ?? 0) + (start[i] ?? 0);
  const fill = start.slice(0, count);
  const dependents = new Int32Array(edgeFrom.length);
  edgeFrom.forEach((target, e) => {
    dependents[fill[target] ?? 0] = edgeTo[e] ?? 0;
    fill[target] = (fill[target] ?? 0) + 1;
  });
  const order: number[] = [];
  for (let i = 0; i < count; i++) if (waitingOn[i] === 0) order.push(i);
  const placed = new Uint8Array(count);
  for (let head = 0; head < order.length; head++) {
    const index = order[head] as number;
    placed[index] = 1;
    for (let d = start[index] ?? 0; d < (start[index + 1] ?? 0); d++) {
      const next = dependents[d] ?? 0;
      waitingOn[next] = (waitingOn[next] ?? 1) - 1;
      if (waitingOn[next] === 0) order.push(next);
    }
  }
  const stuck: number[] = [];
  for (let i = 0; i < count; i++) if (!placed[i]) stuck.push(i);
  if (stuck.length) problems.push({ kind: 'cycle', ids: stuck.map((i) => poolKey(models[i]?.__class ?? '', models[i]?.id ?? '')) });
  for (const index of stuck) order.push(index);
  return { order, problems };
}

export class ObjectPool {
  private readonly objects = new Map<string, PoolObject>();
  private listeners = new Set<() => void>();
  root: string | undefined;
  hydrated = false;
  problems: PoolProblem[] = [];

  /** Replaces the pool with a bootstrap's objects, inserted in topological order. */
  hydrate(entries: ReadonlyArray<PoolObject>): void {
    this.objects.clear();
    this.root = undefined;
    this.hydrated = false;
    const { order, problems } = topologicalIndices(entries.map((e) => e.model));
    this.problems = problems;
    for (const index of order) {
      const entry = entries[index] as PoolObject;
      this.insert(entry.model, entry.syncId);
    }
    this.hydrated = true;
    this.changed();
  }

  /** Adds objects after hydration (a delta bootstrap), still in topological order among themselves. */
  merge(entries: ReadonlyArray<PoolObject>): void {
    for (const index of topologicalIndices(entries.map((e) => e.model)).order) {
      const entry = entries[index] as PoolObject;
      this.insert(entry.model, entry.syncId);
    }
    this.changed();
  }

  private insert(model: JsonModel, syncId: number): void {
    const key = poolKey(model.__class, model.id);
    this.root ??= key;
    this.objects.set(key, { model, syncId });
  }

  put(model: JsonModel, syncId: number): void {
    this.insert(model, syncId);
    this.changed();
  }

  remove(key: string): void {
    if (this.objects.delete(key)) this.changed();
  }

  get(key: string): PoolObject | undefined {
    return this.objects.get(key);
  }

  all(): Array<[string, PoolObject]> {
    return [...this.objects.entries()];
  }

  ofClass(modelName: string): JsonModel[] {
    return [...this.objects.values()].filter((o) => o.model.__class === modelName).map((o) => o.model);
  }

  /** The pool's models by key, sorted: what two converged clients must agree on. */
  snapshot(): Record<string, JsonModel> {
    return Object.fromEntries([...this.objects.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, o]) => [key, o.model]));
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
