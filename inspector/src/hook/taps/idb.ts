/**
 * IndexedDB writes (put, add, delete, clear) recorded when their request succeeds, with the key the database
 * assigned. The native call runs first, so a write the database refuses throws exactly as without the tap.
 */
import type { Capture } from '../capture.ts';
import type { Patches } from '../patch.ts';
import { structuredPayload } from '../payload.ts';

type Op = 'put' | 'add' | 'delete' | 'clear';

export function tapIndexedDb(g: typeof globalThis, capture: Capture, patches: Patches): void {
  const Store = g.IDBObjectStore;
  if (typeof Store !== 'function') return;
  const addListener = g.EventTarget.prototype.addEventListener;
  for (const op of ['put', 'add', 'delete', 'clear'] as Op[]) {
    patches.method(Store.prototype, op, (target, self, args) => {
      if (!capture.active) return Reflect.apply(target, self, args);
      // The database clones the value during the call; our copy is taken at the same moment.
      const value = op === 'put' || op === 'add' ? capture.guard('idb', () => structuredPayload(args[0]).json) : undefined;
      const request = Reflect.apply(target, self, args) as IDBRequest;
      capture.guard('idb', () => {
        const store = self as IDBObjectStore;
        const db = store.transaction.db.name;
        const name = store.name;
        const key = op === 'delete' ? keyOf(args[0]) : undefined;
        addListener.call(request, 'success', () =>
          capture.guard('idb', () =>
            capture.emit({
              transport: 'idb',
              conn: `idb:${db}`,
              dir: 'local',
              kind: 'write',
              json: op === 'clear' ? { op } : op === 'delete' ? { op, key } : { op, key: request.result, value },
              meta: { db, store: name },
            }),
          ),
        );
      });
      return request;
    });
  }
}

/** A key, or a key range as a plain object (IDBKeyRange does not survive structured clone). */
export function keyOf(key: unknown): unknown {
  if (typeof IDBKeyRange !== 'undefined' && key instanceof IDBKeyRange) {
    return { lower: key.lower, upper: key.upper, lowerOpen: key.lowerOpen, upperOpen: key.upperOpen };
  }
  return key;
}
