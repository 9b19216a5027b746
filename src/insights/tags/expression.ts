import { celEnv, isCelError, parse, plan, type CelResult } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/**
 * Tag conditions are CEL (https://cel.dev) over one variable, `facts` (see facts.ts), evaluated by
 * @bufbuild/cel: no I/O and no host functions. Before a condition is accepted its syntax tree is
 * checked so that evaluation stays cheap whatever the facts: only the functions below, at most one
 * level of comprehension (`all`, `exists`, `map`, ...), list literals of at most 100 elements,
 * `matches` with a constant pattern of at most 64 characters, at most 2,000 characters. The same walk finds the fact paths it reads, which decide the sources loaded.
 */
const env = celEnv({ funcs: strings });

const MAX_LENGTH = 2000;
const MAX_LIST = 100;
const FUNCTIONS = new Set([
  '_&&_',
  '_||_',
  '!_',
  '_==_',
  '_!=_',
  '_<_',
  '_<=_',
  '_>_',
  '_>=_',
  '_+_',
  '_-_',
  '_*_',
  '_/_',
  '_%_',
  '-_',
  '_?_:_',
  '_[_]',
  '@in',
  '@not_strictly_false',
  'size',
  'has',
  'startsWith',
  'endsWith',
  'contains',
  'matches',
  'lowerAscii',
  'upperAscii',
  'trim',
  'int',
  'double',
  'string',
]);

export interface Condition {
  /** True, false, or an Error when the facts do not fit the expression (e.g. a null compared with a number). */
  test(facts: object): boolean | Error;
  /** The fact paths it reads, e.g. `orders.orders365d`, `interests['skincare']`. */
  paths: string[];
  /** The fact groups it reads (`orders`, `behaviour`, ...): only those are computed, only their sources loaded. */
  groups: Set<string>;
}

type Expr = ReturnType<typeof parse>['expr'];

/** `facts` followed by constant selections and indexes: the steps, or null when `expr` is not such a chain. */
function chainOf(expr: Expr): string[] | null {
  const kind = expr.exprKind;
  if (kind.case === 'identExpr') return kind.value.name === 'facts' ? [] : null;
  if (kind.case === 'selectExpr' && kind.value.operand) {
    const base = chainOf(kind.value.operand);
    return base && [...base, kind.value.field];
  }
  if (kind.case === 'callExpr' && kind.value.function === '_[_]' && kind.value.args.length === 2) {
    const [operand, index] = kind.value.args as [Expr, Expr];
    const key =
      index.exprKind.case === 'constExpr' && index.exprKind.value.constantKind.case === 'stringValue'
        ? index.exprKind.value.constantKind.value
        : null;
    const base = key === null ? null : chainOf(operand);
    return base && [...base, `['${key}']`];
  }
  return null;
}

/**
 * `matches` compiles its pattern (RE2: linear matching, but compiling a pattern costs its size) on
 * every evaluation, for every customer: only a constant pattern of at most MAX_PATTERN characters.
 */
const MAX_PATTERN = 64;
function checkPattern(pattern: Expr | undefined): void {
  const kind = pattern?.exprKind;
  const text = kind?.case === 'constExpr' && kind.value.constantKind.case === 'stringValue' ? kind.value.constantKind.value : null;
  if (text === null) throw new Error('`matches` takes a constant pattern (a string literal)');
  if (text.length > MAX_PATTERN) throw new Error(`a \`matches\` pattern has more than ${MAX_PATTERN} characters`);
}

function analyse(root: Expr): { paths: string[] } {
  const paths = new Set<string>();
  const visit = (expr: Expr | undefined, depth: number): void => {
    if (!expr) return;
    const chain = chainOf(expr);
    if (chain) {
      if (chain.length === 0) throw new Error('`facts` must be followed by a fact group, e.g. `facts.orders.orders365d`');
      paths.add(chain.map((s, i) => (s.startsWith('[') || i === 0 ? s : `.${s}`)).join(''));
      return;
    }
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'callExpr':
        if (!FUNCTIONS.has(kind.value.function))
          throw new Error(`the function \`${kind.value.function}\` is not allowed in tag conditions`);
        if (kind.value.function === 'matches') checkPattern(kind.value.args.at(-1));
        visit(kind.value.target, depth);
        for (const arg of kind.value.args) visit(arg, depth);
        return;
      case 'selectExpr':
        visit(kind.value.operand, depth);
        return;
      case 'listExpr':
        if (kind.value.elements.length > MAX_LIST) throw new Error(`a list literal has more than ${MAX_LIST} elements`);
        for (const e of kind.value.elements) visit(e, depth);
        return;
      case 'structExpr':
        for (const entry of kind.value.entries) {
          visit(entry.keyKind.case === 'mapKey' ? entry.keyKind.value : undefined, depth);
          visit(entry.value, depth);
        }
        return;
      case 'comprehensionExpr': {
        if (depth >= 1) throw new Error('comprehensions (all, exists, map, filter) cannot be nested');
        const c = kind.value;
        for (const part of [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result]) visit(part, depth + 1);
        return;
      }
      default:
        return;
    }
  };
  visit(root, 0);
  return { paths: [...paths] };
}

/** Compiles and checks a condition; throws an Error whose message says what is wrong, and where. */
export function compileCondition(expression: string): Condition {
  if (expression.trim() === '') throw new Error('the expression is empty');
  if (expression.length > MAX_LENGTH) throw new Error(`the expression is longer than ${MAX_LENGTH} characters`);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(expression);
  } catch (e) {
    throw new Error((e as Error).message, { cause: e });
  }
  const { paths } = analyse(parsed.expr);
  const run = plan(env, parsed) as (ctx: { facts: unknown }) => CelResult;
  return {
    paths,
    groups: new Set(
      paths.map((p) =>
        /^\['([^']*)'\]|^([A-Za-z_]\w*)/
          .exec(p)!
          .slice(1)
          .find((g) => g !== undefined)!,
      ),
    ),
    test(facts) {
      const result = run({ facts: facts as never });
      if (isCelError(result)) return new Error(result.message);
      if (typeof result !== 'boolean')
        return new Error(`the expression gives ${typeof result === 'bigint' ? 'an int' : typeof result}, not a bool`);
      return result;
    },
  };
}

/** The value at a path of `Condition.paths` in `facts`; undefined when absent. */
export function valueAt(facts: object, path: string): unknown {
  let value: unknown = facts;
  for (const [, name, key] of path.matchAll(/\.?([A-Za-z_]\w*)|\['([^']*)'\]/g)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[(name ?? key)!];
  }
  return value;
}
