/**
 * The league's per-field stamps as a persistent map (slot -> stamp): a 32 x 32 tree of small leaves, by a hash of
 * the slot. Setting a few slots copies two 32-entry arrays and the leaves they touch, not every stamp of the state,
 * so replaying n updates costs O(n) instead of O(n x stamps) (a full copy per update made catch-up quadratic).
 * Tables are immutable: `with` returns a new table and leaves this one as it was.
 */
const FANOUT = 32;

type Leaf = ReadonlyMap<string, string>;
type Branch = ReadonlyArray<Leaf | undefined>;

function hash(slot: string): number {
  // FNV-1a, 32 bits: cheap and well spread over the slot strings (collection/id/field).
  let h = 0x811c9dc5;
  for (let i = 0; i < slot.length; i++) h = Math.imul(h ^ slot.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class StampTable {
  private constructor(
    private readonly root: ReadonlyArray<Branch | undefined>,
    readonly size: number,
  ) {}

  static empty(): StampTable {
    return new StampTable(new Array<Branch | undefined>(FANOUT).fill(undefined), 0);
  }

  /** A table holding the slots of a plain record (a state revived from typed JSON carries its stamps that way). */
  static from(record: Readonly<Record<string, string>>): StampTable {
    return StampTable.empty().with(Object.entries(record));
  }

  get(slot: string): string | undefined {
    const h = hash(slot);
    return this.root[h & (FANOUT - 1)]?.[(h >>> 5) & (FANOUT - 1)]?.get(slot);
  }

  /** A new table with these slots set; each array and leaf on their paths is copied once. */
  with(entries: Iterable<readonly [string, string]>): StampTable {
    let root: Array<Branch | undefined> | undefined;
    const branches = new Map<number, Array<Leaf | undefined>>();
    const leaves = new Map<number, Map<string, string>>();
    let size = this.size;
    for (const [slot, stamp] of entries) {
      const h = hash(slot);
      const r = h & (FANOUT - 1);
      const b = (h >>> 5) & (FANOUT - 1);
      root ??= [...this.root];
      let branch = branches.get(r);
      if (!branch) {
        branch = [...(this.root[r] ?? new Array<Leaf | undefined>(FANOUT).fill(undefined))];
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
      if (!leaf.has(slot)) size++;
      leaf.set(slot, stamp);
    }
    return root ? new StampTable(root, size) : this;
  }

  /** Every slot, as the plain record the state's typed JSON carries, keys sorted (the same text whatever the history). */
  toRecord(): Record<string, string> {
    const entries: Array<[string, string]> = [];
    for (const branch of this.root) for (const leaf of branch ?? []) if (leaf) for (const entry of leaf) entries.push(entry);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const record: Record<string, string> = {};
    // defineProperty, not `=`: a slot named "__proto__" stays an own key.
    for (const [slot, stamp] of entries)
      Object.defineProperty(record, slot, { value: stamp, enumerable: true, writable: true, configurable: true });
    return record;
  }
}
