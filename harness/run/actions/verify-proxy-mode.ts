// Confirms kube-proxy is configured with the requested mode before any suite trusts the cell.
import type { Action } from '../action.ts';
import { requireKube } from '../context.ts';
import { readProxyMode } from '../detect.ts';

export const verifyProxyMode: Action = {
  phase: 'verify-proxy-mode',
  async run(ctx) {
    const actual = await readProxyMode(requireKube(ctx));
    const wanted = ctx.cell.proxyMode;
    if (typeof actual !== 'string') throw new Error(`cannot tell kube-proxy's mode: ${actual.unknown}`);
    if (actual !== wanted) {
      throw new Error(
        wanted === 'none'
          ? `kube-proxy is running (mode ${actual}) although the cell asked for none`
          : actual === 'none'
            ? `kube-proxy is not running although the cell asked for mode ${wanted}`
            : `kube-proxy is configured with mode ${actual} instead of ${wanted}`,
      );
    }
    ctx.log(`kube-proxy mode: ${actual}`);
  },
};
