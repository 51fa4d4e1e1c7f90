// Label selectors (matchLabels AND matchExpressions), evaluated one object at a time or, through
// an inverted index, for a whole population at once as a Bitset.
import { Bitset } from './bitset.ts';
import type { LabelSelector, LabelSelectorRequirement } from './types.ts';

/** Whether `labels` satisfy every term of `selector`; the empty selector matches everything. */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every((requirement) => requirementMatches(requirement, labels));
}

function requirementMatches(requirement: LabelSelectorRequirement, labels: Record<string, string>): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'In':
      return present && (requirement.values ?? []).includes(value!);
    // NotIn also matches objects that lack the key, as in Kubernetes label selectors.
    case 'NotIn':
      return !present || !(requirement.values ?? []).includes(value!);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
  }
}

/** "app=api, tier in (a,b)"-style text; "all" for the empty selector. */
export function describeSelector(selector: LabelSelector): string {
  const terms = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const requirement of selector.matchExpressions ?? []) {
    const values = (requirement.values ?? []).join(',');
    switch (requirement.operator) {
      case 'In':
        terms.push(`${requirement.key} in (${values})`);
        break;
      case 'NotIn':
        terms.push(`${requirement.key} notin (${values})`);
        break;
      case 'Exists':
        terms.push(requirement.key);
        break;
      case 'DoesNotExist':
        terms.push(`!${requirement.key}`);
        break;
    }
  }
  return terms.length === 0 ? 'all' : terms.join(', ');
}

/**
 * An inverted index from key=value to the members carrying it. Selecting is then a handful of
 * bitset operations, and equal selectors are answered from a cache.
 */
export class LabelIndex {
  readonly size: number;
  private readonly byKey = new Map<string, { any: Bitset; byValue: Map<string, Bitset> }>();
  private readonly cache = new Map<string, Bitset>();
  private readonly empty: Bitset;
  private readonly all: Bitset;

  constructor(members: readonly Record<string, string>[]) {
    this.size = members.length;
    this.empty = new Bitset(this.size);
    this.all = Bitset.full(this.size);
    members.forEach((labels, index) => {
      for (const [key, value] of Object.entries(labels)) {
        let entry = this.byKey.get(key);
        if (!entry) {
          entry = { any: new Bitset(this.size), byValue: new Map() };
          this.byKey.set(key, entry);
        }
        entry.any.add(index);
        let withValue = entry.byValue.get(value);
        if (!withValue) {
          withValue = new Bitset(this.size);
          entry.byValue.set(value, withValue);
        }
        withValue.add(index);
      }
    });
  }

  /** The members matching `selector`. The result is shared: callers must not modify it. */
  select(selector: LabelSelector): Bitset {
    const cacheKey = JSON.stringify([
      Object.entries(selector.matchLabels ?? {}).sort(),
      (selector.matchExpressions ?? []).map((r) => [r.key, r.operator, [...(r.values ?? [])].sort()]),
    ]);
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    let result = this.all.clone();
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
      result.andWith(this.withValues(key, [value]));
    }
    for (const requirement of selector.matchExpressions ?? []) {
      result = result.andWith(this.requirementSet(requirement));
    }
    this.cache.set(cacheKey, result);
    return result;
  }

  private requirementSet(requirement: LabelSelectorRequirement): Bitset {
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
        return this.withValues(requirement.key, values);
      case 'NotIn':
        return this.withValues(requirement.key, values).not();
      case 'Exists':
        return this.byKey.get(requirement.key)?.any ?? this.empty;
      case 'DoesNotExist':
        return (this.byKey.get(requirement.key)?.any ?? this.empty).not();
    }
  }

  private withValues(key: string, values: readonly string[]): Bitset {
    const entry = this.byKey.get(key);
    const result = new Bitset(this.size);
    for (const value of values) {
      const members = entry?.byValue.get(value);
      if (members) result.orWith(members);
    }
    return result;
  }
}
