import type { SimFault } from './types.ts';

export const dnsNoSrv: SimFault = {
  name: 'dns-no-srv',
  description: 'SRV queries get no answer records.',
  dnsAnswer: (question, answer) => (question.type === 'SRV' ? { ...answer, records: [] } : answer),
};
