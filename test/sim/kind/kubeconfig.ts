// Kubeconfig handling like kind's: the cluster's entries are named kind-<name>; create merges
// them into the target file and makes the context current; delete removes them again.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';

interface Named {
  name: string;
  [key: string]: unknown;
}

export interface KubeconfigDoc {
  apiVersion: string;
  kind: string;
  clusters: Named[];
  users: Named[];
  contexts: Named[];
  'current-context'?: string;
  preferences?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Where kind writes: --kubeconfig, else the first $KUBECONFIG entry, else ~/.kube/config. */
export function kubeconfigTarget(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  const first = (env.KUBECONFIG ?? '').split(delimiter).find(Boolean);
  return first ?? join(env.HOME ?? homedir(), '.kube', 'config');
}

function emptyDoc(): KubeconfigDoc {
  return { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [], preferences: {} };
}

function readDoc(path: string): KubeconfigDoc {
  if (!existsSync(path)) return emptyDoc();
  const text = readFileSync(path, 'utf8');
  const doc = (parse(text) ?? {}) as Partial<KubeconfigDoc>;
  return { ...emptyDoc(), ...doc, clusters: doc.clusters ?? [], users: doc.users ?? [], contexts: doc.contexts ?? [] };
}

/**
 * Renames a single-cluster kubeconfig's entries to kind-<name> (cluster, user and context), as
 * kind names them, and optionally points it at another server URL.
 */
export function kindKubeconfig(sourceYaml: string, clusterName: string, server?: string): KubeconfigDoc {
  const src = readDocText(sourceYaml);
  const id = `kind-${clusterName}`;
  const cluster = src.clusters[0];
  const user = src.users[0];
  if (!cluster || !user) throw new Error('the cluster process wrote a kubeconfig without a cluster or user');
  const clusterBody = { ...(cluster.cluster as Record<string, unknown>) };
  if (server) {
    clusterBody.server = server;
    // The internal name is not in the serving certificate's trust path outside the kind network.
    delete clusterBody['certificate-authority-data'];
    clusterBody['insecure-skip-tls-verify'] = true;
  }
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: id, cluster: clusterBody }],
    users: [{ name: id, user: user.user }],
    contexts: [{ name: id, context: { cluster: id, user: id } }],
    'current-context': id,
    preferences: {},
  };
}

function readDocText(text: string): KubeconfigDoc {
  const doc = (parse(text) ?? {}) as Partial<KubeconfigDoc>;
  return { ...emptyDoc(), ...doc, clusters: doc.clusters ?? [], users: doc.users ?? [], contexts: doc.contexts ?? [] };
}

export function serializeKubeconfig(doc: KubeconfigDoc): string {
  return stringify(doc);
}

function upsert(list: Named[], entry: Named): Named[] {
  return [...list.filter((e) => e.name !== entry.name), entry];
}

/** Merges one cluster's kind-<name> entries into the file at path and selects its context. */
export function mergeInto(path: string, entries: KubeconfigDoc): void {
  const doc = readDoc(path);
  for (const c of entries.clusters) doc.clusters = upsert(doc.clusters, c);
  for (const u of entries.users) doc.users = upsert(doc.users, u);
  for (const c of entries.contexts) doc.contexts = upsert(doc.contexts, c);
  doc['current-context'] = entries['current-context'];
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, serializeKubeconfig(doc), { mode: 0o600 });
}

/** Removes kind-<name> entries from the file at path (no file → nothing to do). */
export function removeFrom(path: string, clusterName: string): void {
  if (!existsSync(path)) return;
  const id = `kind-${clusterName}`;
  const doc = readDoc(path);
  doc.clusters = doc.clusters.filter((e) => e.name !== id);
  doc.users = doc.users.filter((e) => e.name !== id);
  doc.contexts = doc.contexts.filter((e) => e.name !== id);
  if (doc['current-context'] === id) doc['current-context'] = '';
  writeFileSync(path, serializeKubeconfig(doc), { mode: 0o600 });
}
