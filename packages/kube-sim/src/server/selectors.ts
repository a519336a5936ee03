import type { KubeObject } from '../types';
import { badRequest } from './StatusError';

type LabelRequirement =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: 'in' | 'notin'; values: string[] };

/** A parsed label or field selector; an empty selector matches everything. @public */
export interface Selector {
  matches(object: KubeObject): boolean;
  readonly empty: boolean;
}

const everything: Selector = { matches: () => true, empty: true };

/** Parses kube's label selector syntax: =, ==, !=, in, notin, exists, !exists. */
export function parseLabelSelector(text: string | undefined | null): Selector {
  if (!text || !text.trim()) return everything;
  const requirements: LabelRequirement[] = [];
  for (const part of splitTopLevel(text)) {
    const term = part.trim();
    if (!term) continue;
    requirements.push(parseRequirement(term));
  }
  return {
    empty: requirements.length === 0,
    matches: object => {
      const labels = object.metadata.labels ?? {};
      return requirements.every(r => {
        const has = Object.prototype.hasOwnProperty.call(labels, r.key);
        switch (r.op) {
          case 'exists':
            return has;
          case '!exists':
            return !has;
          case 'in':
            return has && r.values.includes(labels[r.key]);
          case 'notin':
            return !has || !r.values.includes(labels[r.key]);
          default:
            return false;
        }
      });
    },
  };
}

/** Builds the selector string equivalent to a LabelSelector object (matchLabels/matchExpressions). */
export function labelSelectorFromObject(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
} | undefined): Selector {
  if (!selector) return everything;
  const terms = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = `(${(e.values ?? []).join(',')})`;
    switch (e.operator) {
      case 'In':
        terms.push(`${e.key} in ${values}`);
        break;
      case 'NotIn':
        terms.push(`${e.key} notin ${values}`);
        break;
      case 'Exists':
        terms.push(e.key);
        break;
      case 'DoesNotExist':
        terms.push(`!${e.key}`);
        break;
      default:
        throw badRequest(`"${e.operator}" is not a valid label selector operator`);
    }
  }
  return parseLabelSelector(terms.join(','));
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

const KEY = /^([a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function parseRequirement(term: string): LabelRequirement {
  const setMatch = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (setMatch) {
    const values = setMatch[3].split(',').map(v => v.trim());
    checkKey(setMatch[1], term);
    values.forEach(v => checkValue(v, term));
    return { key: setMatch[1], op: setMatch[2] as 'in' | 'notin', values };
  }
  const eqMatch = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
  if (eqMatch) {
    const value = eqMatch[3].trim();
    checkKey(eqMatch[1], term);
    checkValue(value, term);
    return { key: eqMatch[1], op: eqMatch[2] === '!=' ? 'notin' : 'in', values: [value] };
  }
  if (term.startsWith('!')) {
    const key = term.slice(1).trim();
    checkKey(key, term);
    return { key, op: '!exists' };
  }
  checkKey(term, term);
  return { key: term, op: 'exists' };
}

function checkKey(key: string, term: string): void {
  if (!KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${term}"`);
}

function checkValue(value: string, term: string): void {
  if (value.length > 63 || !VALUE.test(value)) {
    throw badRequest(`unable to parse requirement: invalid label value: "${value}" in "${term}"`);
  }
}

/** Fields each kind may be selected on beyond metadata.name and metadata.namespace. */
const extraFields: Record<string, string[]> = {
  Secret: ['type'],
  Event: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
    'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type',
    'regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid'],
  Namespace: ['status.phase'],
};

function fieldValue(object: KubeObject, path: string): string {
  let value: unknown = object;
  for (const part of path.split('.')) {
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (path === 'metadata.namespace' && value === undefined) return '';
  return value === undefined || value === null ? '' : String(value);
}

/**
 * Parses a field selector; custom resources support only metadata.name and metadata.namespace,
 * and answer other fields with 400 as kube does.
 */
export function parseFieldSelector(text: string | undefined | null, kind: string, builtin: boolean): Selector {
  if (!text || !text.trim()) return everything;
  const terms = text.split(',').filter(t => t.trim()).map(term => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = m[1];
    const allowed = ['metadata.name', 'metadata.namespace', ...(builtin ? extraFields[kind] ?? [] : [])];
    if (!allowed.includes(field)) {
      throw badRequest(
        builtin
          ? `field label not supported: ${field}`
          : `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
      );
    }
    return { field, negate: m[2] === '!=', value: m[3] };
  });
  return {
    empty: terms.length === 0,
    matches: object => terms.every(t => (fieldValue(object, t.field) === t.value) !== t.negate),
  };
}

/** Both selectors of a request combined. */
export function combine(a: Selector, b: Selector): Selector {
  if (a.empty) return b;
  if (b.empty) return a;
  return { empty: false, matches: o => a.matches(o) && b.matches(o) };
}
