import { Aggregator } from 'mingo';
import type { Document } from 'bson';
import { isSimplePipeline } from '../src/fastOperators';
import { Store } from '../src/store';

/**
 * The embedded server's compiled stages against mingo's own operators on the same documents: every
 * pipeline must give the same answer (or the same refusal) both ways.
 */
const DOCS: Document[] = [
  { _id: 1, k: 'a', n: 3, list: [1, 2, 2], sub: { x: 'y', z: 1 }, ts: new Date('2026-01-02T00:00:00Z') },
  { _id: 2, k: 'b', n: 1.5, list: [], sub: {}, ts: new Date('2026-01-01T00:00:00Z') },
  { _id: 3, k: null, n: 'x', list: 'scalar', sub: '', ts: null },
  { _id: 4, list: [null, 3], ts: new Date('2026-01-03T00:00:00Z') },
];

function store(): Store {
  const s = new Store();
  const c = s.ensureCollection('db', 'c');
  for (const d of DOCS) c.insert(structuredClone(d));
  const other = s.ensureCollection('db', 'o');
  other.insert({ _id: 1, k: 'a', sub: { deep: 1 } });
  return s;
}

const viaMingo = (pipeline: Document[], variables?: Document) => {
  try {
    return new Aggregator(pipeline, { processingMode: 1, variables, collectionResolver: () => [{ _id: 1, k: 'a', sub: { deep: 1 } }] }).run(
      structuredClone(DOCS),
    );
  } catch (e) {
    return { error: (e as Error).message };
  }
};
const viaStore = (s: Store, pipeline: Document[], variables?: Document) => {
  try {
    return s.aggregate('db', 'c', pipeline, variables);
  } catch (e) {
    return { error: (e as Error).message };
  }
};

describe('compiled stages of the embedded server', () => {
  it.each<[string, Document[]]>([
    [
      'constant accumulators',
      [{ $group: { _id: '$k', p: { $push: 1 }, mx: { $max: 3 }, mn: { $min: 2 }, s: { $sum: 2 }, c: { $sum: 1 } } }],
    ],
    [
      'expression accumulators',
      [{ $group: { _id: { k: '$k' }, p: { $push: { n: '$n', t: '$ts' } }, mx: { $max: '$ts' }, mn: { $min: '$n' }, s: { $sum: '$n' } } }],
    ],
    ['a group without _id', [{ $group: { c: { $sum: 1 } } }]],
    [
      '$$NOW and an unbound variable',
      [{ $addFields: { now: { $cond: [{ $gt: ['$$NOW', new Date(0)] }, 'later', 'earlier'] } } }, { $project: { now: 1 } }],
    ],
    [
      '$let, comparisons and $cond',
      [
        { $addFields: { v: { $let: { vars: { x: '$n' }, in: { $cond: [{ $gte: ['$$x', 2] }, 'big', 'small'] } } } } },
        { $project: { v: 1 } },
      ],
    ],
    ['a facet whose branch writes a nested field', [{ $facet: { a: [{ $set: { 'sub.hacked': 1 } }], b: [{ $match: {} }] } }]],
    ['a facet whose branch excludes a nested field', [{ $facet: { a: [{ $project: { 'sub.z': 0 } }], b: [{ $project: { sub: 1 } }] } }]],
    ['unwind keeping empty arrays', [{ $unwind: { path: '$list', preserveNullAndEmptyArrays: true } }, { $project: { list: 1 } }]],
    [
      'a lookup with let',
      [{ $lookup: { from: 'o', let: { v: '$k' }, pipeline: [{ $addFields: { got: '$$v' } }], as: 'j' } }, { $project: { j: 1 } }],
    ],
    [
      'a facet of simple branches',
      [
        { $unwind: '$list' },
        {
          $facet: {
            g: [{ $group: { _id: '$list', c: { $sum: 1 } } }, { $sort: { _id: 1 } }],
            m: [{ $match: { list: { $in: [2, null] } } }, { $project: { _id: 1 } }],
          },
        },
      ],
    ],
  ])('%s: the same answer as mingo', (_, pipeline) => {
    expect(viaStore(store(), pipeline)).toEqual(viaMingo(pipeline));
  });

  it('leaves stored documents untouched, also those a $lookup hands out', () => {
    const s = store();
    s.aggregate('db', 'c', [
      { $lookup: { from: 'o', localField: 'k', foreignField: 'k', as: 'j' } },
      { $unwind: '$j' },
      { $set: { 'j.sub.hacked': 1 } },
    ]);
    s.aggregate('db', 'c', [{ $facet: { a: [{ $set: { x: 1 } }], b: [{ $match: {} }] } }]);
    expect(s.collection('db', 'o')!.all()).toEqual([{ _id: 1, k: 'a', sub: { deep: 1 } }]);
    expect(s.collection('db', 'c')!.all()).toEqual(DOCS);
  });

  it('runs only simple pipelines on the compiled stages', () => {
    expect(isSimplePipeline([{ $match: {} }, { $addFields: { a: 1 } }, { $facet: { x: [{ $group: { _id: null } }] } }])).toBe(true);
    expect(isSimplePipeline([{ $addFields: { 'a.b': 1 } }])).toBe(false);
    expect(isSimplePipeline([{ $facet: { x: [{ $project: { a: 0 } }] } }])).toBe(false);
    expect(isSimplePipeline([{ $lookup: { from: 'o', as: 'j', pipeline: [] } }])).toBe(false);
  });
});
