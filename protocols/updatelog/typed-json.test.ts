import { describe, expect, it } from 'vitest';
import { TypedJsonError, TypeRegistry } from './typed-json.ts';

class Colour {
  static readonly RED = new Colour('red');
  static readonly BLUE = new Colour('blue');
  constructor(readonly label: string) {}
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
    readonly colour: Colour,
    readonly at: Date,
  ) {}
  sum(): number {
    return this.x + this.y;
  }
}

const registry = new TypeRegistry().registerClass('Point', Point).registerEnum('Colour', { RED: Colour.RED, BLUE: Colour.BLUE });

describe('typed JSON', () => {
  const point = new Point(1, 2, Colour.BLUE, new Date('2024-03-01T10:00:00.000Z'));

  it('writes @type, enum names and ISO dates', () => {
    expect(registry.toJson({ p: point })).toEqual({
      p: { '@type': 'Point', x: 1, y: 2, colour: { '@type': 'Colour', name: 'BLUE' }, at: '2024-03-01T10:00:00.000Z' },
    });
  });

  it('restores the class, the very enum instance, and Date', () => {
    const back = registry.parse(registry.stringify([point])) as Point[];
    const first = back[0] as Point;
    expect(first).toBeInstanceOf(Point);
    expect(first.sum()).toBe(3);
    expect(first.colour).toBe(Colour.BLUE);
    expect(first.at).toBeInstanceOf(Date);
    expect(first.at.getTime()).toBe(point.at.getTime());
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('leaves date-like strings without milliseconds alone (lsd-storage needs .sss)', () => {
    expect(registry.revive('2024-03-01T10:00:00Z')).toBe('2024-03-01T10:00:00Z');
  });

  it('names where an unknown type, enum name or unregistered class is', () => {
    expect(() => registry.revive({ a: [{ '@type': 'Nope' }] })).toThrow(new TypedJsonError(['a', 0, '@type'], 'unknown type Nope'));
    expect(() => registry.revive({ c: { '@type': 'Colour', name: 'GREEN' } })).toThrow('c.name: GREEN is not a value of enum Colour');
    class Other {}
    expect(() => registry.toJson({ o: new Other() })).toThrow('o: class Other is not registered');
    expect(() => registry.toJson({ n: Number.NaN })).toThrow('n: NaN cannot be stored as JSON');
  });
});
