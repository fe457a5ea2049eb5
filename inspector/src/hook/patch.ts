/**
 * Replaces globals and prototype methods with Proxies of the originals, so that what the app can observe —
 * `instanceof`, statics, `name`, `length`, `toString()` showing native code, `prototype` identity — stays the
 * same. Every replacement is remembered and undone by `undo()`.
 */
type Apply = (target: (...args: unknown[]) => unknown, self: unknown, args: unknown[]) => unknown;
type Construct = (target: new (...args: unknown[]) => object, args: unknown[], newTarget: Function) => object;

export class Patches {
  private readonly undos: Array<() => void> = [];

  /** Wraps a method of `owner` (a prototype or a global object) with an apply trap. */
  method(owner: object | undefined, name: string, apply: Apply): void {
    if (!owner) return;
    const descriptor = Object.getOwnPropertyDescriptor(owner, name);
    const original = descriptor?.value;
    if (typeof original !== 'function') return;
    const proxy = new Proxy(original, { apply: (target, self, args) => apply(target, self, args) });
    Object.defineProperty(owner, name, { ...descriptor, value: proxy });
    this.undos.push(() => {
      // Only restore if nobody replaced it after us; otherwise we would silently drop their patch.
      if (Object.getOwnPropertyDescriptor(owner, name)?.value === proxy)
        Object.defineProperty(owner, name, descriptor as PropertyDescriptor);
    });
  }

  /** Wraps a global constructor with a construct trap (the prototype and statics are the original's). */
  constructor_(owner: object, name: string, construct: Construct): void {
    const descriptor = Object.getOwnPropertyDescriptor(owner, name);
    const original = descriptor?.value;
    if (typeof original !== 'function') return;
    const proxy = new Proxy(original, {
      construct: (target, args, newTarget) => construct(target, args, newTarget),
    });
    Object.defineProperty(owner, name, { ...descriptor, value: proxy });
    this.undos.push(() => {
      if (Object.getOwnPropertyDescriptor(owner, name)?.value === proxy)
        Object.defineProperty(owner, name, descriptor as PropertyDescriptor);
    });
  }

  onUndo(undo: () => void): void {
    this.undos.push(undo);
  }

  undo(): void {
    for (const undo of this.undos.splice(0).reverse()) {
      try {
        undo();
      } catch {
        // Restoring one patch must not stop the others.
      }
    }
  }
}
