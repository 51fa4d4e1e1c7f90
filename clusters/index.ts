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
