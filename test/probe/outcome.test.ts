import { describe, expect, test } from '@jest/globals';
import {
  classify,
  clientIpOf,
  commandKind,
  connectCommand,
  curlCommand,
  describeResult,
  dialCommand,
  hostPort,
  missingResult,
} from '../../harness/probe/index.ts';

const connect = connectCommand('10.244.1.5', 80, 'TCP', 1);
const curl = curlCommand('10.244.1.5', 80, '/clientip', 2);
const dial = dialCommand({ host: '10.244.2.7', port: 80, protocol: 'udp', request: 'clientip', timeoutSeconds: 2 });

describe('command builders follow docs/probe-protocol.md', () => {
  test('connect, curl and dial argv', () => {
    expect(connect).toEqual(['/agnhost', 'connect', '10.244.1.5:80', '--timeout=1s', '--protocol=tcp']);
    expect(connectCommand('fd00::5', 81, 'SCTP', 2)).toEqual(['/agnhost', 'connect', '[fd00::5]:81', '--timeout=2s', '--protocol=sctp']);
    expect(curl).toEqual(['curl', '-sS', '--max-time', '2', 'http://10.244.1.5:80/clientip']);
    expect(dial).toEqual([
      'curl', '-sS', '--max-time', '2',
      'http://127.0.0.1:8080/dial?host=10.244.2.7&port=80&protocol=udp&request=clientip&tries=1',
    ]);
    expect(hostPort('[fd00::1]', 80)).toBe('[fd00::1]:80');
  });

  test('commandKind picks the parser from the command words', () => {
    expect(commandKind(connect)).toBe('connect');
    expect(commandKind(curl)).toBe('curl');
    expect(commandKind(dial)).toBe('dial');
    expect(commandKind(['dig', '+short', 'kubernetes.default'])).toBe('dig');
    expect(commandKind(['cat', '/etc/resolv.conf'])).toBe('other');
  });
});

describe('agnhost connect', () => {
  test.each([
    [0, '', 'connected'],
    [1, 'TIMEOUT: dial tcp 10.244.1.5:80: i/o timeout', 'timeout'],
    [1, 'REFUSED: dial tcp 10.244.1.5:80: connect: connection refused', 'refused'],
    [1, 'DNS: lookup nosuch: no such host', 'dns-error'],
    [1, 'OTHER: read udp: connection reset', 'error'],
    [1, 'UNKNOWN: something odd', 'error'],
    [1, 'I1101 12:00:00 log line\nTIMEOUT: after a log line', 'timeout'],
    [1, 'no prefix at all', 'error'],
    [127, 'sh: /agnhost: not found', 'error'],
    [137, 'TIMEOUT: killed', 'error'],
  ] as const)('exit %i with %j → %s', (exitCode, output, outcome) => {
    const result = classify('p', connect, exitCode, output);
    expect(result.outcome).toBe(outcome);
    expect(result.exitCode).toBe(exitCode);
    expect(result.detail.firstLine).toBe(output.split('\n')[0] || 'no output');
  });
});

describe('curl', () => {
  test('exit 0 with a netexec /clientip body gives the observed client IP', () => {
    const result = classify('p', curl, 0, '10.244.1.9:43210');
    expect(result.outcome).toBe('connected');
    expect(result.detail.clientIp).toBe('10.244.1.9');
    expect(result.detail.body).toBe('10.244.1.9:43210');
    expect(result.detail.httpStatus).toBeUndefined();
  });

  test('IPv6 clientip and bodies that are not an address', () => {
    expect(clientIpOf('[fd00:10:244::5]:5000')).toBe('fd00:10:244::5');
    expect(clientIpOf('pod-a')).toBeUndefined();
    expect(clientIpOf('not-an-ip:80')).toBeUndefined();
    expect(classify('p', curl, 0, 'server-pod').detail.clientIp).toBeUndefined();
  });

  test('curl -i: status from the last status line, headers stripped from the body', () => {
    const output = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 413 Request Entity Too Large\r\nServer: nginx\r\n\r\n<html>too large</html>';
    const result = classify('p', ['curl', '-sS', '-i', 'http://h/'], 0, output);
    expect(result.outcome).toBe('connected');
    expect(result.detail.httpStatus).toBe(413);
    expect(result.detail.body).toBe('<html>too large</html>');
    expect(classify('p', ['curl', '-i', 'http://h/'], 0, 'HTTP/2 308\nlocation: https://h/\n\n').detail.httpStatus).toBe(308);
  });

  test.each([
    [6, 'curl: (6) Could not resolve host: nosuch', 'dns-error'],
    // Older curl: the OS error ends the message.
    [7, 'curl: (7) Failed to connect to 10.244.1.5 port 80: Connection refused', 'refused'],
    [7, 'curl: (7) Failed to connect to 10.244.1.5 port 80 after 3 ms: Connection refused', 'refused'],
    [7, 'curl: (7) Failed to connect to 10.244.1.5 port 80 after 1001 ms: Connection timed out', 'timeout'],
    [7, 'curl: (7) Failed to connect to 10.244.1.5 port 80: Operation timed out', 'timeout'],
    [7, 'curl: (7) Failed to connect to 10.244.1.5 port 80 after 3071 ms: No route to host', 'error'],
    [7, 'curl: (7) Failed to connect to 10.244.1.5 port 80 after 0 ms: Host is unreachable', 'error'],
    [7, 'curl: (7) Failed to connect to 10.244.1.5 port 80 after 0 ms: Network is unreachable', 'error'],
    // Newer curl: the same text for every connect failure, in practice a refused connection.
    [7, "curl: (7) Failed to connect to 10.244.1.5 port 80 after 3 ms: Couldn't connect to server", 'refused'],
    [7, 'curl: (7) Failed to connect to 10.244.1.5 port 80 after 0 ms: Could not connect to server', 'refused'],
    [7, 'curl: (7) Failed to connect to web.x.svc.cluster.local port 80 after 2 ms: Could not connect to server', 'refused'],
    [28, 'curl: (28) Connection timed out after 2001 milliseconds', 'timeout'],
    [52, 'curl: (52) Empty reply from server', 'error'],
    [56, 'curl: (56) Recv failure: Connection reset by peer', 'error'],
  ] as const)('exit %i → %s', (exitCode, output, outcome) => {
    const result = classify('p', curl, exitCode, output);
    expect(result.outcome).toBe(outcome);
    expect(result.detail.firstLine).toBe(output);
  });
});

describe('netexec /dial', () => {
  test('a response is connected, with the client IP the target saw', () => {
    const result = classify('p', dial, 0, '{"responses":["10.244.1.9:53012"],"errors":[]}');
    expect(result.outcome).toBe('connected');
    expect(result.detail.clientIp).toBe('10.244.1.9');
  });

  test.each([
    ['{"responses":[],"errors":["reading from udp connection failed. err:\'read udp 10.244.1.9:5000->10.244.2.7:80: i/o timeout\'"]}', 'timeout'],
    ['{"responses":[],"errors":["dial udp 10.244.2.7:80: connect: connection refused"]}', 'refused'],
    ['{"responses":[],"errors":["lookup nosuch: no such host"]}', 'dns-error'],
    ['{"responses":[],"errors":["strange"]}', 'error'],
    ['<html>not json</html>', 'error'],
  ] as const)('%s → %s', (output, outcome) => {
    expect(classify('p', dial, 0, output).outcome).toBe(outcome);
  });

  test('a failing curl to the local netexec is a harness error', () => {
    expect(classify('p', dial, 7, 'curl: (7) Failed to connect to 127.0.0.1 port 8080: Connection refused').outcome).toBe('error');
  });
});

describe('dig and other commands', () => {
  test('dig exit codes', () => {
    expect(classify('p', ['dig', '+short', 'x'], 0, '10.96.0.1').outcome).toBe('connected');
    expect(classify('p', ['dig', '+short', 'x'], 9, ';; connection timed out; no servers could be reached').outcome).toBe('timeout');
    expect(classify('p', ['dig', '+short', 'x'], 10, 'bad').outcome).toBe('error');
  });

  test('other commands: exit 0 is connected, the output kept as body', () => {
    const result = classify('p', ['cat', '/etc/resolv.conf'], 0, 'nameserver 10.96.0.10\nsearch a b');
    expect(result.outcome).toBe('connected');
    expect(result.detail.body).toBe('nameserver 10.96.0.10\nsearch a b');
    expect(classify('p', ['hostname'], 1, '').outcome).toBe('error');
  });
});

test('missing results and descriptions read well', () => {
  const missing = missingResult('p', 'no result line');
  expect(missing).toMatchObject({ outcome: 'error', exitCode: undefined, detail: { firstLine: 'no result line' } });
  expect(describeResult(missing)).toBe('error (no result line)');
  expect(describeResult(classify('p', curl, 0, '10.244.1.9:1'))).toBe('connected [client IP 10.244.1.9] (10.244.1.9:1)');
  expect(describeResult(classify('p', connect, 0, ''))).toBe('connected (no output)');
});
