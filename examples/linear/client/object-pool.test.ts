import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ObjectPool, topologicalOrder } from './object-pool.ts';

const m = (cls: string, id: string, refs: Record<string, unknown> = {}) => ({ __class: cls, id, ...refs });

describe('ObjectPool', () => {
  it('inserts referenced objects first; the root is the first inserted; hydrated only at the end', () => {
    const pool = new ObjectPool();
    const seen: Array<[string | undefined, boolean]> = [];
    pool.subscribe(() => seen.push([pool.root, pool.hydrated]));
    pool.hydrate([
      { model: m('Issue', 'i1', { teamId: 't1', projectId: 'p1', labelIds: ['l1'] }), syncId: 5 },
      { model: m('Project', 'p1', { teamId: 't1' }), syncId: 3 },
      { model: m('Label', 'l1', { teamId: 't1' }), syncId: 4 },
      { model: m('Team', 't1'), syncId: 1 },
    ]);
    expect(pool.root).toBe('Team/t1');
    expect(seen).toEqual([['Team/t1', true]]);
    expect(pool.all().map(([key]) => key)).toEqual(['Team/t1', 'Project/p1', 'Label/l1', 'Issue/i1']);
    expect(pool.problems).toEqual([]);
  });

  it('reports a cycle and a dangling reference instead of looping', () => {
    const { order, problems } = topologicalOrder([m('A', 'a', { bId: 'b' }), m('B', 'b', { aId: 'a' }), m('C', 'c', { ghostId: 'zzz' })]);
    expect(order.map((x) => x.id)).toEqual(['c', 'a', 'b']);
    expect(problems).toEqual([
      { kind: 'dangling', from: 'C/c', field: 'ghostId', to: 'zzz' },
      { kind: 'cycle', ids: ['A/a', 'B/b'] },
    ]);
  });
});

describe('topologicalOrder (property)', () => {
  it('puts every referenced object before the objects that reference it, for any acyclic graph', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(), { maxLength: 4 }), { minLength: 1, maxLength: 30 }), fc.boolean(), (edges, shuffle) => {
        // Object i may only reference objects j < i: acyclic by construction; the input order is then scrambled.
        const models = edges.map((targets, i) => m('Node', `n${i}`, { parentIds: targets.filter((t) => t < i).map((t) => `n${t}`) }));
        const input = shuffle ? [...models].reverse() : models;
        const { order, problems } = topologicalOrder(input);
        expect(problems).toEqual([]);
        const position = new Map(order.map((model, index) => [model.id, index]));
        for (const model of order)
          for (const ref of model.parentIds as string[]) expect(position.get(ref)).toBeLessThan(position.get(model.id) as number);
      }),
      { numRuns: 300, seed: 20261122 },
    );
  });
});
