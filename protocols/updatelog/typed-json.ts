/**
 * Typed JSON as lsd-storage stores it: instances of registered classes carry `"@type": "ClassName"`, enum values
 * are written as `{"@type": "EnumName", "name": "VALUE"}` and come back as the registered static instance (the
 * same object, so `===` works), and ISO date-time strings come back as Date. The wire form is plain JSON, so
 * the zod schemas validate it before anything is revived.
 */
import { ISO_DATETIME } from './schemas.ts';

export class TypedJsonError extends Error {
  constructor(
    readonly path: ReadonlyArray<string | number>,
    reason: string,
  ) {
    super(`${path.length ? `${path.join('.')}: ` : ''}${reason}`);
    this.name = 'TypedJsonError';
  }
}

type Constructor = abstract new (...args: any[]) => object;

const MAX_DEPTH = 64;

export class TypeRegistry {
  private readonly classesByName = new Map<string, Constructor>();
  private readonly namesByClass = new Map<Constructor, string>();
  private readonly enumsByName = new Map<string, Map<string, object>>();
  private readonly enumRefs = new WeakMap<object, { type: string; name: string }>();

  /** A class whose instances are stored with "@type": name. Revived objects get its prototype, frozen. */
  registerClass(name: string, ctor: Constructor): this {
    this.classesByName.set(name, ctor);
    this.namesByClass.set(ctor, name);
    return this;
  }

  /** An enum: its instances by name. Stored as {"@type", name}; revived to exactly these instances. */
  registerEnum(name: string, instances: Readonly<Record<string, object>>): this {
    const byName = new Map<string, object>();
    for (const [key, instance] of Object.entries(instances)) {
      byName.set(key, instance);
      this.enumRefs.set(instance, { type: name, name: key });
    }
    this.enumsByName.set(name, byName);
    return this;
  }

  /** A value to its plain JSON wire form. Values JSON cannot carry faithfully are an error, not silently lost. */
  toJson(value: unknown, path: Array<string | number> = []): unknown {
    if (path.length > MAX_DEPTH) throw new TypedJsonError(path, 'nested too deeply');
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new TypedJsonError(path, `${value} cannot be stored as JSON`);
      return value;
    }
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw new TypedJsonError(path, 'an invalid Date cannot be stored');
      return value.toISOString();
    }
    if (typeof value !== 'object') throw new TypedJsonError(path, `a ${typeof value} cannot be stored as JSON`);
    const enumRef = this.enumRefs.get(value);
    if (enumRef) return { '@type': enumRef.type, name: enumRef.name };
    if (Array.isArray(value)) return value.map((item, index) => this.toJson(item, [...path, index]));
    const prototype = Object.getPrototypeOf(value);
    const out: Record<string, unknown> = {};
    if (prototype !== Object.prototype && prototype !== null) {
      const name = this.namesByClass.get(prototype.constructor as Constructor);
      if (!name) throw new TypedJsonError(path, `class ${prototype.constructor?.name ?? '?'} is not registered`);
      out['@type'] = name;
    }
    for (const [key, field] of Object.entries(value)) {
      if (field === undefined) continue;
      Object.defineProperty(out, key, { value: this.toJson(field, [...path, key]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  /** A plain JSON value back to classes, enum instances and dates. Unknown types and enum names are errors. */
  revive(value: unknown, path: Array<string | number> = []): unknown {
    if (path.length > MAX_DEPTH) throw new TypedJsonError(path, 'nested too deeply');
    if (typeof value === 'string') return ISO_DATETIME.test(value) ? new Date(value) : value;
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return Object.freeze(value.map((item, index) => this.revive(item, [...path, index])));
    const record = value as Record<string, unknown>;
    const type = record['@type'];
    if (type === undefined) return Object.freeze(this.reviveFields(record, path, {}));
    if (typeof type !== 'string') throw new TypedJsonError([...path, '@type'], 'expected a type name');
    const enumValues = this.enumsByName.get(type);
    if (enumValues) {
      const name = record.name;
      const instance = typeof name === 'string' ? enumValues.get(name) : undefined;
      if (!instance) throw new TypedJsonError([...path, 'name'], `${String(name)} is not a value of enum ${type}`);
      return instance;
    }
    const ctor = this.classesByName.get(type);
    if (!ctor) throw new TypedJsonError([...path, '@type'], `unknown type ${type}`);
    return Object.freeze(this.reviveFields(record, path, Object.create(ctor.prototype)));
  }

  stringify(value: unknown): string {
    return JSON.stringify(this.toJson(value));
  }

  parse(text: string): unknown {
    return this.revive(JSON.parse(text));
  }

  private reviveFields(record: Record<string, unknown>, path: Array<string | number>, target: object): object {
    for (const [key, field] of Object.entries(record)) {
      if (key === '@type') continue;
      Object.defineProperty(target, key, {
        value: this.revive(field, [...path, key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return target;
  }
}
