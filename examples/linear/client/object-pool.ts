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

/**
 * Orders models so that each comes after everything it references (Kahn's algorithm, stable in input order).
 * Objects caught in a cycle come last, in input order; dangling references are reported and otherwise ignored.
 */
export function topologicalOrder(models: readonly JsonModel[]): { order: JsonModel[]; problems: PoolProblem[] } {
  const byId = new Map<string, number>(models.map((model, index) => [model.id, index]));
  const problems: PoolProblem[] = [];
  const dependents: number[][] = models.map(() => []);
  const waitingOn = models.map(() => 0);
  models.forEach((model, index) => {
    const seen = new Set<number>();
    for (const ref of referencesOf(model)) {
      const target = byId.get(ref.to);
      if (target === undefined) {
        problems.push({ kind: 'dangling', from: poolKey(model.__class, model.id), field: ref.field, to: ref.to });
      } else if (target !== index && !seen.has(target)) {
        seen.add(target);
        dependents[target]?.push(index);
        waitingOn[index] = (waitingOn[index] ?? 0) + 1;
      }
    }
  });
  const ready = models.map((_, i) => i).filter((i) => waitingOn[i] === 0);
  const order: JsonModel[] = [];
  const placed = new Set<number>();
  for (let head = 0; head < ready.length; head++) {
    const index = ready[head] as number;
    placed.add(index);
    order.push(models[index] as JsonModel);
    for (const next of dependents[index] ?? []) {
      waitingOn[next] = (waitingOn[next] ?? 1) - 1;
      if (waitingOn[next] === 0) ready.push(next);
    }
  }
  const stuck = models.filter((_, i) => !placed.has(i));
  if (stuck.length) problems.push({ kind: 'cycle', ids: stuck.map((m) => poolKey(m.__class, m.id)) });
  return { order: [...order, ...stuck], problems };
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
    const syncIds = new Map(entries.map((e) => [poolKey(e.model.__class, e.model.id), e.syncId]));
    const { order, problems } = topologicalOrder(entries.map((e) => e.model));
    this.problems = problems;
    for (const model of order) this.insert(model, syncIds.get(poolKey(model.__class, model.id)) ?? 0);
    this.hydrated = true;
    this.changed();
  }

  /** Adds objects after hydration (a delta bootstrap), still in topological order among themselves. */
  merge(entries: ReadonlyArray<PoolObject>): void {
    const syncIds = new Map(entries.map((e) => [poolKey(e.model.__class, e.model.id), e.syncId]));
    for (const model of topologicalOrder(entries.map((e) => e.model)).order)
      this.insert(model, syncIds.get(poolKey(model.__class, model.id)) ?? 0);
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
