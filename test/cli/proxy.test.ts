import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { useProxyFromEnvironment } from '../../harness/cli/proxy.ts';

// A proxy on loopback that records what it is asked to tunnel to and refuses it; a direct server.
const tunnels: string[] = [];
const proxy = http.createServer((_req, res) => res.end('via proxy'));
proxy.on('connect', (req, socket) => {
  tunnels.push(req.url ?? '');
  socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
});
const direct = http.createServer((_req, res) => res.end('direct'));
const port = (server: http.Server) => (server.address() as AddressInfo).port;

beforeAll(async () => {
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => direct.listen(0, '127.0.0.1', resolve));
});
afterAll(() => {
  proxy.close();
  direct.close();
});

describe('useProxyFromEnvironment', () => {
  test('downloads go through HTTPS_PROXY, NO_PROXY hosts and loopback (the kind API servers) do not', async () => {
    const restore = useProxyFromEnvironment({ HTTPS_PROXY: `http://127.0.0.1:${port(proxy)}`, HTTP_PROXY: `http://127.0.0.1:${port(proxy)}`, NO_PROXY: 'direct.invalid' });
    try {
      await expect(fetch('https://example.invalid/manifest.yaml')).rejects.toThrow();
      expect(tunnels).toEqual(['example.invalid:443']);
      await expect(fetch('https://direct.invalid/x')).rejects.toThrow();
      expect(tunnels).toEqual(['example.invalid:443']);
      expect(await (await fetch(`http://127.0.0.1:${port(direct)}/`)).text()).toBe('direct');
    } finally {
      restore();
    }
  });

  test('without proxy variables nothing changes', async () => {
    useProxyFromEnvironment({})();
    expect(await (await fetch(`http://127.0.0.1:${port(direct)}/`)).text()).toBe('direct');
  });
});
