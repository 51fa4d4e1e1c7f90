// A downloadable artifact pinned to exact bytes: cnimatrix fetches the URL and refuses the content
// unless its sha256 matches.

export interface Pin {
  url: string;
  /** Lower-case hex sha256 of the exact bytes at `url`. */
  sha256: string;
  /** How the sha256 was obtained, in a line a user can retrace (docs/pins.md has the long form); absent for a user's override. */
  provenance?: string;
  /** The release's own checksum file, where it publishes one: shown in refusals, read by `pins verify`. */
  checksumSource?: string;
}

/** A Kubernetes manifest a profile installs. */
export interface ManifestPin extends Pin {
  /** Stable id; `overrides.manifests.<id>` in the run config replaces url and sha256. */
  id: string;
  /** "create" for manifests whose CRDs are too large for server-side apply (Calico). */
  mode: 'apply' | 'create';
}

/**
 * Stands in for a hash that could not be computed when the pin was recorded. It never matches real
 * content, so such a pin is refused until `cnimatrix pins verify` shows the real hash and someone
 * records it (see docs/pins.md).
 */
export const UNVERIFIED_SHA256 = '0'.repeat(64);

export function isUnverified(pin: Pin): boolean {
  return pin.sha256 === UNVERIFIED_SHA256;
}
