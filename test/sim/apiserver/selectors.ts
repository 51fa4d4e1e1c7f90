// Label and field selectors with the API server's syntax and meaning.
import type { KubeObject } from './types.ts';

export type LabelRequirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

/** Splits on commas that are not inside a parenthesised value set. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

/** Throws Error with the offending term when the selector is malformed. */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  return splitTerms(selector).map((term): LabelRequirement => {
    const set = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '');
      return { op: set[2] === 'in' ? 'in' : 'notin', key: set[1]!, values };
    }
    const cmp = /^([^\s!=()]+)\s*(==|!=|=)\s*([^\s!=(),]*)$/.exec(term);
    if (cmp) return { op: cmp[2] === '!=' ? 'neq' : 'eq', key: cmp[1]!, value: cmp[3]! };
    const notExists = /^!\s*([^\s!=()]+)$/.exec(term);
    if (notExists) return { op: 'notexists', key: notExists[1]! };
    if (/^[^\s!=()]+$/.test(term)) return { op: 'exists', key: term };
    throw new Error(`unable to parse requirement: "${term}"`);
  });
}

export function matchesLabels(labels: Record<string, string> | undefined, reqs: LabelRequirement[]): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq':
        return has && v === r.value;
      case 'neq':
        return !has || v !== r.value;
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'exists':
        return has;
      case 'notexists':
        return !has;
    }
  });
}

export function matchesLabelSelector(labels: Record<string, string> | undefined, selector: string): boolean {
  return matchesLabels(labels, parseLabelSelector(selector));
}

/** A metav1.LabelSelector (matchLabels + matchExpressions), as workloads and policies carry. */
export interface StructuredSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export function matchesStructuredSelector(labels: Record<string, string> | undefined, sel: StructuredSelector | undefined): boolean {
  if (!sel) return false;
  const reqs: LabelRequirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, value]) => ({ op: 'eq', key, value }));
  for (const e of sel.matchExpressions ?? []) {
    const values = e.values ?? [];
    if (e.operator === 'In') reqs.push({ op: 'in', key: e.key, values });
    else if (e.operator === 'NotIn') reqs.push({ op: 'notin', key: e.key, values });
    else if (e.operator === 'Exists') reqs.push({ op: 'exists', key: e.key });
    else if (e.operator === 'DoesNotExist') reqs.push({ op: 'notexists', key: e.key });
    else return false;
  }
  return matchesLabels(labels, reqs);
}

const FIELD_PATHS: Record<string, (o: KubeObject) => string | undefined> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
  'spec.nodeName': (o) => ((o.spec as { nodeName?: string } | undefined)?.nodeName ?? ''),
  'status.phase': (o) => ((o.status as { phase?: string } | undefined)?.phase ?? ''),
  'involvedObject.name': (o) => ((o.involvedObject as { name?: string } | undefined)?.name ?? ''),
  'involvedObject.kind': (o) => ((o.involvedObject as { kind?: string } | undefined)?.kind ?? ''),
};

export interface FieldRequirement {
  field: string;
  negate: boolean;
  value: string;
}

export function parseFieldSelector(selector: string): FieldRequirement[] {
  return splitTerms(selector).map((term) => {
    const m = /^([^\s!=]+)\s*(==|!=|=)\s*(.*)$/.exec(term);
    if (!m) throw new Error(`invalid field selector: "${term}"`);
    if (!FIELD_PATHS[m[1]!]) {
      throw new Error(`field label not supported: ${m[1]} (supported: ${Object.keys(FIELD_PATHS).join(', ')})`);
    }
    return { field: m[1]!, negate: m[2] === '!=', value: m[3]!.trim() };
  });
}

export function matchesFields(obj: KubeObject, reqs: FieldRequirement[]): boolean {
  return reqs.every((r) => (FIELD_PATHS[r.field]!(obj) === r.value) !== r.negate);
}
