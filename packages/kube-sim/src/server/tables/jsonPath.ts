import { isPlainObject } from '../../schema/jsonValue';

/**
 * The simple JSONPath of CRD printer columns (k8s.io/client-go/util/jsonpath as the CRD table
 * convertor uses it): fields `.a.b`, indexes `[0]`, wildcards `[*]` and filters
 * `[?(@.type=="Ready")]`. Returns every value found, in order.
 */
export function findJsonPath(root: unknown, path: string): unknown[] {
  const steps = path.replace(/^\{|\}$/g, '').match(/\[\?\(@\.[^)]*\)\]|\[[^\]]*\]|\.[^.[]+/g) ?? [];
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.startsWith('.')) {
        if (isPlainObject(value) && step.slice(1) in value) next.push(value[step.slice(1)]);
      } else if (step.startsWith('[?(')) {
        const filter = /^\[\?\(@\.([\w.-]+)\s*(==|!=)\s*["']?([^"')]*)["']?\)\]$/.exec(step);
        if (filter && Array.isArray(value)) {
          const [, field, op, wanted] = filter;
          for (const item of value) {
            const found = findJsonPath(item, `.${field}`)[0];
            if ((String(found) === wanted) === (op === '==')) next.push(item);
          }
        }
      } else if (step === '[*]') {
        if (Array.isArray(value)) next.push(...value);
        else if (isPlainObject(value)) next.push(...Object.values(value));
      } else if (Array.isArray(value)) {
        const index = Number(step.slice(1, -1));
        const item = value.at(index);
        if (item !== undefined) next.push(item);
      } else if (isPlainObject(value)) {
        const key = step.slice(1, -1).replace(/^['"]|['"]$/g, '');
        if (key in value) next.push(value[key]);
      }
    }
    current = next;
  }
  return current;
}
