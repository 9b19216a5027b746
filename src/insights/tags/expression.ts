import { isCelError, parse, plan, celEnv, type CelResult } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/**
 * Tag conditions are CEL (https://cel.dev) over one variable, `facts` (see facts.ts): sandboxed (no
 * I/O, no host functions, bounded evaluation), parsed once per definition version. The `strings`
 * extension adds string helpers such as `lowerAscii()`.
 */
const env = celEnv({ funcs: strings });

export interface Condition {
  /** True, false, or an Error when the facts do not fit the expression (e.g. a null compared with a number). */
  test(facts: object): boolean | Error;
  /** The fact paths the expression reads, e.g. `orders.orders365d`, `interests['skincare']`. */
  paths: string[];
  /** The top-level fact groups it reads (`orders`, `behaviour`, ...), which decide the sources to load. */
  groups: Set<string>;
}

/** `facts` followed by field selections and constant-key indexes; a method call (`.size()`) ends the path. */
const PATH = /\bfacts((?:\.[A-Za-z_]\w*(?![\w(])|\[\s*'[^']*'\s*\]|\[\s*"[^"]*"\s*\])+)/g;

/** Compiles a condition; throws an Error whose message says where the expression is wrong. */
export function compileCondition(expression: string): Condition {
  if (expression.trim() === '') throw new Error('the expression is empty');
  if (expression.length > 2000) throw new Error('the expression is longer than 2,000 characters');
  let run: (ctx: { facts: unknown }) => CelResult;
  try {
    const parsed = parse(expression);
    run = plan(env, parsed) as (ctx: { facts: unknown }) => CelResult;
  } catch (e) {
    throw new Error((e as Error).message);
  }
  const paths = [...new Set([...expression.matchAll(PATH)].map((m) => m[1]!.replace(/^\./, '').replace(/\s+/g, '')))];
  return {
    paths,
    groups: new Set(paths.map((p) => /^[A-Za-z_]\w*/.exec(p)![0])),
    test(facts) {
      const result = run({ facts: facts as never });
      if (isCelError(result)) return new Error(result.message);
      if (typeof result !== 'boolean') return new Error(`the expression gives ${typeof result === 'bigint' ? 'an int' : typeof result}, not a bool`);
      return result;
    },
  };
}

/** The value at a path of `compileCondition().paths` in `facts`; undefined when absent. */
export function valueAt(facts: object, path: string): unknown {
  let value: unknown = facts;
  for (const [, name, single, double] of path.matchAll(/\.?([A-Za-z_]\w*)|\['([^']*)'\]|\["([^"]*)"\]/g)) {
    const key = name ?? single ?? double;
    if (value === null || typeof value !== 'object' || key === undefined) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
