/**
 * A sorted list of frame positions for one index key (a connection, a protocol, a message type). Positions only
 * grow at the end (or near it, when a connection's backlog settles late) and only leave from the front (eviction),
 * so the list keeps a head offset instead of shifting, and compacts once half of it is dead.
 */
export class PositionList {
  private items: number[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** Adds a position, keeping the list sorted (a late backlog lands a few places before the end). */
  add(position: number): void {
    const items = this.items;
    let at = items.length;
    while (at > this.head && (items[at - 1] as number) > position) at--;
    if (at === items.length) items.push(position);
    else items.splice(at, 0, position);
  }

  /** Drops every position below `first` (the evicted ones). */
  trimBelow(first: number): void {
    const items = this.items;
    while (this.head < items.length && (items[this.head] as number) < first) this.head++;
    if (this.head > 64 && this.head * 2 > items.length) {
      this.items = items.slice(this.head);
      this.head = 0;
    }
  }

  /** Positions in [from, to), in order. */
  range(from = Number.NEGATIVE_INFINITY, to = Number.POSITIVE_INFINITY): number[] {
    const items = this.items;
    let lo = lowerBound(items, from, this.head);
    const out: number[] = [];
    for (; lo < items.length && (items[lo] as number) < to; lo++) out.push(items[lo] as number);
    return out;
  }
}

/** First index in sorted `items` (from `start`) whose value is >= `value`. */
export function lowerBound(items: ArrayLike<number>, value: number, start = 0, end = items.length): number {
  let lo = start;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((items[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
