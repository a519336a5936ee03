import { CelScalar, celEnv, celFunc, celMethod, isCelError, listType, parse, plan } from '@bufbuild/cel';
import type { CelEnv, CelFunc, CelInput, CelList, CelValue } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/**
 * The CEL environment of CRD validation rules: the standard library and the strings extension
 * (`k8s.io/apiserver/pkg/cel/environment/base.go` enables ext.Strings), plus the Kubernetes list
 * and regex libraries (`k8s.io/apiserver/pkg/cel/library/lists.go`, `regex.go`).
 */

const DYN = CelScalar.DYN;
const INT = CelScalar.INT;
const STRING = CelScalar.STRING;
const BOOL = CelScalar.BOOL;

const items = (list: CelList): CelValue[] => {
  const out: CelValue[] = [];
  for (let i = 0; i < list.size; i++) out.push(list.get(i) as CelValue);
  return out;
};

/** Orders ints, doubles and strings as CEL's `<` does (mixed numbers compare numerically). */
function compare(a: CelValue, b: CelValue): number {
  const order = <T>(x: T, y: T) => {
    if (x < y) return -1;
    return x > y ? 1 : 0;
  };
  if (typeof a === 'string' && typeof b === 'string') return order(a, b);
  return order(typeof a === 'bigint' ? Number(a) : (a as number), typeof b === 'bigint' ? Number(b) : (b as number));
}

const listOf = listType(DYN);

const kubernetesFuncs: CelFunc[] = [
  celMethod('isSorted', listOf, [], BOOL, function isSorted() {
    const values = items(this);
    return values.every((v, i) => i === 0 || compare(values[i - 1], v) <= 0);
  }),
  celMethod('sum', listOf, [], DYN, function sum() {
    const values = items(this);
    if (values.length === 0) return 0n;
    if (values.every(v => typeof v === 'bigint')) return (values as bigint[]).reduce((a, b) => a + b, 0n);
    return values.reduce<number>((a, b) => a + Number(b), 0);
  }),
  celMethod('min', listOf, [], DYN, function min() {
    const values = items(this);
    if (values.length === 0) throw new Error('min called on empty list');
    return values.reduce((a, b) => (compare(b, a) < 0 ? b : a)) as CelInput;
  }),
  celMethod('max', listOf, [], DYN, function max() {
    const values = items(this);
    if (values.length === 0) throw new Error('max called on empty list');
    return values.reduce((a, b) => (compare(b, a) > 0 ? b : a)) as CelInput;
  }),
  celMethod('indexOf', listOf, [DYN], INT, function indexOf(wanted) {
    return BigInt(items(this).findIndex(v => compare(v, wanted) === 0 && typeof v === typeof wanted));
  }),
  celMethod('lastIndexOf', listOf, [DYN], INT, function lastIndexOf(wanted) {
    const values = items(this);
    for (let i = values.length - 1; i >= 0; i--) if (compare(values[i], wanted) === 0 && typeof values[i] === typeof wanted) return BigInt(i);
    return -1n;
  }),
  celMethod('find', STRING, [STRING], STRING, function find(pattern) {
    return new RegExp(pattern).exec(this)?.[0] ?? '';
  }),
  celMethod('findAll', STRING, [STRING], listType(STRING), function findAll(pattern) {
    return [...this.matchAll(new RegExp(pattern, 'g'))].map(m => m[0]);
  }),
  celFunc('isSorted', [listOf], BOOL, list => items(list).every((v, i, all) => i === 0 || compare(all[i - 1], v) <= 0)),
];

let environment: CelEnv | undefined;

function env(): CelEnv {
  environment ??= celEnv({ funcs: [...strings, ...kubernetesFuncs] });
  return environment;
}

/** cel-go's words for the runtime errors whose cel-es wording differs (kube prints cel-go's). */
const CEL_GO_MESSAGES: Array<[RegExp, string]> = [
  [/^(?:int|uint) divide by zero$/, 'division by zero'],
  [/^(?:int|uint) modulus by zero$/, 'modulus by zero'],
  [/^field not found: (.*)$/, 'no such key: $1'],
  [/^key not found: (.*)$/, 'no such key: $1'],
];

function celGoMessage(message: string): string {
  for (const [pattern, replacement] of CEL_GO_MESSAGES) if (pattern.test(message)) return message.replace(pattern, replacement);
  return message;
}

/** A compiled rule: evaluates to a CEL value, or throws with the evaluator's message. */
export type CompiledExpression = (bindings: Record<string, CelInput>) => CelValue;

const compiled = new Map<string, CompiledExpression>();

/** Parses and plans `expression` once; throws an Error saying why when it does not parse. */
export function compileExpression(expression: string): CompiledExpression {
  let found = compiled.get(expression);
  if (!found) {
    const run = plan(env(), parse(expression));
    found = bindings => {
      const result = run(bindings);
      if (isCelError(result)) throw new Error(celGoMessage(result.message));
      return result;
    };
    compiled.set(expression, found);
  }
  return found;
}
