/**
 * An append-only list for reducer state that must stay immutable (the fold keeps old states as checkpoints by
 * reference) yet grows for the whole session — phases, conflicts. Copying the array on every append made a long
 * session's fold quadratic; here versions share one backing array and each knows its own length, so appending to
 * the newest version is O(1). Appending to an older version (a fold resumed from a checkpoint) copies its prefix
 * once, and from then on that branch appends in O(1) too. Older versions never see later items: they read only up to
 * their own length.
 */
export class AppendLog<T> implements Iterable<T> {
  private constructor(
    private readonly items: T[],
    readonly length: number,
  ) {}

  static empty<T>(): AppendLog<T> {
    return new AppendLog<T>([], 0);
  }

  static of<T>(items: Iterable<T>): AppendLog<T> {
    const copy = [...items];
    return new AppendLog(copy, copy.length);
  }

  append(...added: T[]): AppendLog<T> {
    if (added.length === 0) return this;
    // Only the version that owns the array's tail may extend it in place; any other copies its own prefix.
    const items = this.items.length === this.length ? this.items : this.items.slice(0, this.length);
    for (const item of added) items.push(item);
    return new AppendLog(items, this.length + added.length);
  }

  at(index: number): T | undefined {
    const i = index < 0 ? this.length + index : index;
    return i >= 0 && i < this.length ? this.items[i] : undefined;
  }

  toArray(): T[] {
    return this.items.slice(0, this.length);
  }

  /** Serialises as this version's items only, not the shared backing array. */
  toJSON(): T[] {
    return this.toArray();
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.items[i] as T;
  }
}
