// The disruption monitor's script in real bash against real agnhost netexec on loopback: a held
// connection carries keep-alive requests until the stop file appears, a server that goes away
// shows as `broken` (and its probes fail) at that moment, and the probe lines parse.
import { afterEach, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { connectCommand } from '../../harness/probe/commands.ts';
import { buildMonitorScript, MONITOR_STOP_FILE, parseMonitorOutput } from '../../harness/upgrade/monitor-script.ts';
import { realBinary, realTestsRun } from './require.ts';

const PORT = 18_480;
const servers: ChildProcess[] = [];

async function startNetexec(): Promise<ChildProcess> {
  const server = spawn(realBinary('agnhost'), ['netexec', `--http-port=${PORT}`, `--udp-port=${PORT}`], { stdio: 'ignore' });
  servers.push(server);
  for (let i = 0; i < 100; i++) {
    const response = await fetch(`http://127.0.0.1:${PORT}/healthz`).catch(() => undefined);
    if (response?.ok) return server;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('netexec did not start');
}

function runMonitor(maxSeconds: number): Promise<string> {
  const agnhost = realBinary('agnhost');
  const probe = (protocol: 'TCP' | 'UDP') => [agnhost, ...connectCommand('127.0.0.1', PORT, protocol, 1).slice(1)];
  const script = buildMonitorScript({
    holds: [{ id: 'hold.same', host: '127.0.0.1', port: PORT }],
    probes: [
      { id: 'tcp.same', command: probe('TCP') },
      { id: 'udp.same', command: probe('UDP') },
    ],
    tickMs: 100,
    maxSeconds,
  });
  return new Promise((resolve, reject) => {
    const bash = spawn('/bin/bash', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    bash.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    bash.on('error', reject);
    bash.on('close', () => resolve(out));
  });
}

afterEach(() => {
  for (const server of servers.splice(0)) server.kill('SIGKILL');
  rmSync(MONITOR_STOP_FILE, { force: true });
});

(realTestsRun('the disruption monitor script') ? describe : describe.skip)('the disruption monitor script in real bash against real netexec', () => {
  test('a held connection carries a reply every tick until the stop file appears, then closes intact', async () => {
    await startNetexec();
    rmSync(MONITOR_STOP_FILE, { force: true });
    const running = runMonitor(30);
    setTimeout(() => writeFileSync(MONITOR_STOP_FILE, ''), 2_000);
    const events = parseMonitorOutput(await running);
    const hold = events.filter((e) => e.type === 'hold');
    expect(hold[0]).toMatchObject({ event: 'open' });
    expect(hold.at(-1)).toMatchObject({ event: 'closed' });
    const replies = hold.filter((e) => e.type === 'hold' && e.event === 'reply');
    expect(replies.length).toBeGreaterThan(8);
    expect(replies.map((e) => (e.type === 'hold' ? e.detail : ''))).toEqual(replies.map((_, i) => String(i + 1)));
    const probes = events.filter((e) => e.type === 'probe');
    expect(probes.length).toBeGreaterThan(8);
    expect(probes.every((e) => e.type === 'probe' && e.exitCode === 0)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'stopped' });
    expect(existsSync(MONITOR_STOP_FILE)).toBe(true);
  }, 60_000);

  test('a server that goes away breaks the held connection and its probes fail from then on', async () => {
    const server = await startNetexec();
    rmSync(MONITOR_STOP_FILE, { force: true });
    const running = runMonitor(4);
    let killedAt = 0;
    setTimeout(() => {
      killedAt = Date.now();
      server.kill('SIGKILL');
    }, 1_500);
    const events = parseMonitorOutput(await running);
    const broken = events.find((e) => e.type === 'hold' && e.event === 'broken');
    // The next write after the peer's death fails, or the read sees the stream end: either is broken.
    expect(['write', 'eof']).toContain(broken?.type === 'hold' ? broken.detail : undefined);
    expect(broken!.at - killedAt).toBeLessThan(1_000);
    const after = events.filter((e) => e.type === 'probe' && e.id === 'tcp.same' && e.at > killedAt + 200);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((e) => e.type === 'probe' && e.exitCode === 1 && e.output.trim() === 'REFUSED')).toBe(true);
    // The loop ends by itself at maxSeconds when no stop file comes.
    expect(events.at(-1)).toMatchObject({ type: 'stopped' });
  }, 60_000);
});
