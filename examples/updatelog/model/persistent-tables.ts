/**
 * Persistent maps for the league state (string keys): a 32 x 32 tree of small leaves, by a hash of the key. Setting
 * a few keys copies two 32-entry arrays and the leaves they touch, not the whole map, so replaying n updates costs
 * O(n) instead of O(n x state) (a full copy per update made catch-up quadratic). Immutable: `with` returns a new
 * map and leaves this one as it was.
 *  - StampTable: slot -> stamp; its record form has its keys sorted (the same text whatever the history).
 *  - RecordTable: id -> record; its record form keeps first-insertion order, as the plain objects it replaces did.
 */
const FANOUT = 32;

type Leaf<V> = ReadonlyMap<string, V>;
type Branch<V> = ReadonlyArray<Leaf<V> | undefined>;

function hash(key: string): number {
  // FNV-1a, 32 bits: cheap and well spread over keys like collection/id/field.
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The tree itself: get, a batch of sets, and every entry. */
class HashTrie<V> {
  constructor(
    private readonly root: ReadonlyArray<Branch<V> | undefined> = new Array<Branch<V> | undefined>(FANOUT).fill(undefined),
    readonly size = 0,
  ) {}

  get(key: string): V | undefined {
    const h = hash(key);
    return this.root[h & (FANOUT - 1)]?.[(h >>> 5) & (FANOUT - 1)]?.get(key);
  }

  /** A new trie with these keys set; each array and leaf on their paths is copied once. */
  with(entries: Iterable<readonly [string, V]>): HashTrie<V> {
    let root: Array<Branch<V> | undefined> | undefined;
    const branches = new Map<number, Array<Leaf<V> | undefined>>();
    const leaves = new Map<number, Map<string, V>>();
    let size = this.size;
    for (const [key, value] of entries) {
      const h = hash(key);
      const r = h & (FANOUT - 1);
      const b = (h >>> 5) & (FANOUT - 1);
      root ??= [...this.root];
      let branch = branches.get(r);
      if (!branch) {
        branch = [...(this.root[r] ?? new Array<Leaf<V> | undefined>(FANOUT).fill(undefined))];
        branches.set(r, branch);
        root[r] = branch;
      }
      const at = r * FANOUT + b;
      let leaf = leaves.get(at);
      if (!leaf) {
        leaf = new Map(branch[b] ?? []);
        leaves.set(at, leaf);
        branch[b] = leaf;
      }
      if (!leaf.has(key)) size++;
      leaf.set(key, value);
    }
    return root ? new HashTrie(root, size) : this;
  }

  entries(): Array<[string, V]> {
    const out: Array<[string, V]> = [];
    for (const branch of this.root) for (const leaf of branch ?? []) if (leaf) for (const entry of leaf) out.push(entry);
    return out;
  }
}

/** A plain record of these entries, in this order; defineProperty, not `=`, so a key "__proto__" stays an own key. */
function recordOf<V>(entries: ReadonlyArray<readonly [string, V]>): Record<string, V> {
  const record: Record<string, V> = {};
  for (const [key, value] of entries) Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  return record;
}

export class StampTable {
  private constructor(private readonly trie: HashTrie<string>) {}

  static empty(): StampTable {
    return new StampTable(new HashTrie());
  }

  /** A table holding the slots of a plain record (a state revived from typed JSON carries its stamps that way). */
  static from(record: Readonly<Record<string, string>>): StampTable {
    return StampTable.empty().with(Object.entries(record));
  }

  get size(): number {
    return this.trie.size;
  }

  get(slot: string): string | undefined {
    return this.trie.get(slot);
  }

  with(entries: Iterable<readonly [string, string]>): StampTable {
    const trie = this.trie.with(entries);
    return trie === this.trie ? this : new StampTable(trie);
  }

  /** Every slot, as the plain record the state's typed JSON carries, keys sorted. */
  toRecord(): Record<string, string> {
    return recordOf(this.trie.entries().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

export class RecordTable<V> {
  private constructor(
    private readonly trie: HashTrie<{ value: V; order: number }>,
    private readonly nextOrder: number,
  ) {}

  static empty<V>(): RecordTable<V> {
    return new RecordTable<V>(new HashTrie(), 0);
  }

  static from<V>(record: Readonly<Record<string, V>>): RecordTable<V> {
    let table = RecordTable.empty<V>();
    for (const [key, value] of Object.entries(record)) table = table.set(key, value);
    return table;
  }

  get size(): number {
    return this.trie.size;
  }

  get(key: string): V | undefined {
    return this.trie.get(key)?.value;
  }

  /** A new table with `key` set: a key already there keeps its place in the order, a new one goes last. */
  set(key: string, value: V): RecordTable<V> {
    const order = this.trie.get(key)?.order;
    return new RecordTable(
      this.trie.with([[key, { value, order: order ?? this.nextOrder }]]),
      order === undefined ? this.nextOrder + 1 : this.nextOrder,
    );
  }

  /** Every record, as a plain object in first-insertion order (what `{...records, [id]: record}` kept). */
  toRecord(): Record<string, V> {
    const entries = this.trie.entries().sort(([, a], [, b]) => a.order - b.order);
    return recordOf(entries.map(([key, { value }]) => [key, value] as const));
  }
}
