import type { SimFault } from './types.ts';

export const dnsHeadlessEmpty: SimFault = {
  name: 'dns-headless-empty',
  description: 'Names of headless Services (and their pods) answer with no records.',
  dnsAnswer(_question, answer) {
    const kind = answer.subject?.kind;
    const headlessSrv = kind === 'srv' && answer.subject?.service?.headless;
    if (kind !== 'headless-service' && kind !== 'headless-pod' && !headlessSrv) return answer;
    return { ...answer, records: [] };
  },
};
