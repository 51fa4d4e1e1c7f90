// The registry of CNI profiles.

import { BadInputError } from '../harness/model/errors.ts';
import { CNI_NAMES, type CniName } from '../harness/model/cell.ts';
import { calico } from './calico.ts';
import { cilium } from './cilium.ts';
import { flannel } from './flannel.ts';
import { kindnet } from './kindnet.ts';
import type { CniProfile } from './profile.ts';
import { weave } from './weave.ts';

export const profiles: Record<CniName, CniProfile> = { kindnet, calico, flannel, cilium, weave };

export function profileFor(name: string): CniProfile {
  const profile = (profiles as Record<string, CniProfile | undefined>)[name];
  if (profile === undefined) {
    throw new BadInputError(`unknown CNI "${name}"`, `valid CNIs: ${CNI_NAMES.join(', ')}`);
  }
  return profile;
}

/** Every version of the CNI cnimatrix has pins for, the default (newest) last. */
export function knownVersions(name: CniName): string[] {
  const profile = profiles[name];
  return [...Object.keys(profile.otherReleases ?? {}), profile.version];
}

/** The profile of `name` at `version`: the default one, or one of its other releases. */
export function profileAt(name: CniName, version: string): CniProfile {
  const profile = profiles[name];
  if (version === profile.version) return profile;
  const release = profile.otherReleases?.[version];
  if (release === undefined) {
    throw new BadInputError(`unknown ${name} version "${version}"`, `known ${name} versions: ${knownVersions(name).join(', ')}`);
  }
  return release;
}
