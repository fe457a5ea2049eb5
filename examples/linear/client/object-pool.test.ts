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

  it('orders exactly as a plain Kahn sort would, cycles, dangling and repeated references included', () => {
    // The reference: Kahn's algorithm written plainly (a list and a set per model), stable in input order.
    const plain = (models: ReturnType<typeof m>[]) => {
      const byId = new Map(models.map((model, index) => [model.id, index]));
      const dependents = models.map((): number[] => []);
      const waiting = models.map(() => 0);
      const dangling: string[] = [];
      models.forEach((model, index) => {
        const seen = new Set<number>();
        for (const [field, value] of Object.entries(model)) {
          const targets =
            field.endsWith('Id') && typeof value === 'string' ? [value] : field.endsWith('Ids') ? (value as unknown as string[]) : [];
          for (const to of targets) {
            const target = byId.get(to);
            if (target === undefined) dangling.push(`${model.id}.${field}->${to}`);
            else if (target !== index && !seen.has(target)) {
              seen.add(target);
              dependents[target]?.push(index);
              waiting[index] = (waiting[index] ?? 0) + 1;
            }
          }
        }
      });
      const ready = models.map((_, i) => i).filter((i) => waiting[i] === 0);
      for (let head = 0; head < ready.length; head++)
        for (const next of dependents[ready[head] as number] ?? []) {
          waiting[next] = (waiting[next] ?? 1) - 1;
          if (waiting[next] === 0) ready.push(next);
        }
      const stuck = models.map((_, i) => i).filter((i) => !ready.includes(i));
      return { ids: [...ready, ...stuck].map((i) => models[i]?.id), dangling, stuck: stuck.map((i) => models[i]?.id) };
    };
    fc.assert(
      fc.property(
        fc.array(fc.record({ parent: fc.nat(12), others: fc.array(fc.nat(12), { maxLength: 3 }) }), { minLength: 1, maxLength: 12 }),
        (nodes) => {
          // Any node may point at any id 0..12: forward and backward edges, cycles, self references, ids that do not exist.
          const models = nodes.map((node, i) =>
            m('Node', `n${i}`, { parentId: `n${node.parent}`, otherIds: node.others.map((o) => `n${o}`) }),
          );
          const expected = plain(models);
          const { order, problems } = topologicalOrder(models);
          expect(order.map((model) => model.id)).toEqual(expected.ids);
          expect(
            problems.filter((p) => p.kind === 'dangling').map((p) => p.kind === 'dangling' && `${p.from.slice(5)}.${p.field}->${p.to}`),
          ).toEqual(expected.dangling);
          const cycle = problems.find((p) => p.kind === 'cycle');
          expect(cycle?.kind === 'cycle' ? cycle.ids.map((k) => k.slice(5)) : []).toEqual(expected.stuck);
        },
      ),
      { numRuns: 500, seed: 20261122 },
    );
  });
});
