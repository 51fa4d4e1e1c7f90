export { createKind, type Kind, type KindOptions, type KindVersion, type CreateClusterOptions, type RetryEvent } from './client.ts';
export {
  KindError,
  KindNotFoundError,
  DockerUnreachableError,
  KindClusterExistsError,
  KindImagePullError,
  KindKubeadmError,
  KindTimeoutError,
  classifyKindFailure,
} from './errors.ts';
export { cleanClusters, isCnimatrixCluster, type CleanResult } from './clean.ts';
