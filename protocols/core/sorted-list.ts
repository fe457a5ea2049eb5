/**
 * Persistent lists kept sorted by a key: how dissectors hold queues and timelines that grow to tens of thousands
 * of entries. A plain array copied and re-sorted per frame made those folds quadratic; these stay O(log n) per
 * lookup and share structure with every checkpointed state that came before.
 */
import type { List } from 'immutable';

type Key = number | string;

/** The first index whose key is at or above `key`, or strictly above it when `after` is set. */
export function bisect<T, K extends Key>(list: List<T>, key: K, keyOf: (item: T) => K, after = false): number {
  let low = 0;
  let high = list.size;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const at = keyOf(list.get(mid) as T);
    if (at < key || (after && at === key)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The item with key `key`, and where it sits; the index is -1 when there is none. */
export function findSorted<T, K extends Key>(list: List<T>, key: K, keyOf: (item: T) => K): [T | undefined, number] {
  const at = bisect(list, key, keyOf);
  const item = list.get(at);
  return item !== undefined && keyOf(item) === key ? [item, at] : [undefined, -1];
}

/**
 * `item` in its place after every item with a key at or below its own. Keys usually arrive in order (sync ids,
 * LSNs, versions), so the common case is a push.
 */
export function insertSorted<T, K extends Key>(list: List<T>, item: T, keyOf: (item: T) => K): List<T> {
  const last = list.last();
  const key = keyOf(item);
  if (last === undefined || keyOf(last) <= key) return list.push(item);
  return list.insert(bisect(list, key, keyOf, true), item);
}

/** The items whose key is strictly above `key`: what is left of a sorted queue once everything up to `key` is done. */
export function dropThrough<T, K extends Key>(list: List<T>, key: K, keyOf: (item: T) => K): List<T> {
  const at = bisect(list, key, keyOf, true);
  return at === 0 ? list : list.skip(at).toList();
}
