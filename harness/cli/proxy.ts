// Downloads (pinned manifests and tools) honour HTTPS_PROXY, HTTP_PROXY and NO_PROXY: Node's
// fetch ignores them unless told, and Node's proxy support would also send loopback traffic —
// every kind API server — to the proxy, so loopback is always excluded, as Go's proxy rules do.
import http from 'node:http';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];
const LOOPBACK = ['localhost', '127.0.0.1', '::1'];

/**
 * Applies the proxy settings of `env` to this process; returns how to undo it (a no-op when none
 * are set). Node < 24.14 has no such switch: then a warning says the settings are not used.
 */
export function useProxyFromEnvironment(env: NodeJS.ProcessEnv, warn: (line: string) => void = (line) => void process.stderr.write(`${line}\n`)): () => void {
  if (!PROXY_VARIABLES.some((name) => env[name])) return () => {};
  if (typeof http.setGlobalProxyFromEnv !== 'function') {
    warn(`warning: HTTPS_PROXY/HTTP_PROXY are set, but Node ${process.versions.node} cannot use a proxy; run cnimatrix with the project's Node 24 (npx cnimatrix after npm ci)`);
    return () => {};
  }
  const noProxy = [env.NO_PROXY ?? env.no_proxy, ...LOOPBACK].filter(Boolean).join(',');
  return http.setGlobalProxyFromEnv({ ...env, NO_PROXY: noProxy, no_proxy: noProxy });
}
