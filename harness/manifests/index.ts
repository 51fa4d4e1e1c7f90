// Pinned manifests and artifacts: fetch with sha256 check, transform, verify, prepare.

export { fetchPinned, fetchPinnedBytes, readSource, sha256Hex, hashMismatchError, type FetchOptions, type PinRef } from './fetch.ts';
export { applyTransforms, podContainers } from './transforms.ts';
export { imagesInManifest } from './images.ts';
export { verifyPin, verifyPins, type PinStatus, type PinVerification } from './verify.ts';
export { extractTarMember } from './tar.ts';
export { preparedPath, runPrepareStep } from './prepare.ts';
export { preloadReference, retagForPreload } from './preload.ts';
export { parseManifest, stringifyManifest, type ManifestObject } from './yaml-docs.ts';
