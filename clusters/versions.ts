// Every pinned version cnimatrix uses, in one place.

/** Images the suites run in the cell's pods. */
export const testImages = {
  /** Servers (netexec) and clients (connect, curl, dig). Alpine-based: sh, curl, dig, base64. */
  agnhost: 'registry.k8s.io/e2e-test-images/agnhost:2.56',
  /** DNS client for the dns suite (dig, nslookup). */
  dnsutils: 'registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3',
} as const;
