// Simulated Kubernetes API server (plain HTTP on 127.0.0.1) for the simulated cluster and the kube
// adapter's tests. See README.md in this folder for what it serves and how its controllers behave.
export type {
  ApiServer,
  ApiServerFaults,
  ApiServerOptions,
  ApiServerStats,
  ApiServerTiming,
  ChangeType,
  ExecHandler,
  ExecReply,
  ExecRequest,
  KubeObject,
  LogHandler,
  LogRequest,
  ObjectStore,
  PodStartup,
  PodStartupHook,
  StoreChange,
  StoreListOptions,
} from './types.ts';
export { startApiServer } from './server.ts';
export { matchesLabelSelector, matchesStructuredSelector, parseLabelSelector, type StructuredSelector } from './selectors.ts';
