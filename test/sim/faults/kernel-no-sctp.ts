import type { SimFault } from './types.ts';

export const kernelNoSctp: SimFault = {
  name: 'kernel-no-sctp',
  description:
    'The nodes share a kernel without SCTP (as on hosts without the sctp module): an SCTP socket fails with "protocol not supported", and netexec serving --sctp-port exits, so its pod crash-loops.',
  kernelWithoutSctp: true,
};
