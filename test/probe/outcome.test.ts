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
  // What agnhost 2.56 printed in test/real/agnhost-probes.test.ts, plus texts of connect.go that
  // kernel could not produce (SCTP refusal, UDP's UNKNOWN).
  test.each([
    [0, '', 'connected'],
    // TCP: a bare word, no colon.
    [1, 'TIMEOUT', 'timeout'],
    [1, 'REFUSED', 'refused'],
    [1, 'OTHER: dial tcp 192.0.2.20:87: connect: no route to host', 'error'],
    [1, 'OTHER: dial tcp 198.51.100.1:80: connect: network is unreachable', 'error'],
    // UDP: the read error after the prefix.
    [1, 'TIMEOUT: read udp 192.0.2.10:36610->192.0.2.20:84: i/o timeout', 'timeout'],
    [1, 'REFUSED: read udp 192.0.2.10:56091->192.0.2.20:81: read: connection refused', 'refused'],
    [1, 'OTHER: dial udp 198.51.100.1:80: connect: network is unreachable', 'error'],
    [1, 'UNKNOWN: read udp 10.244.1.9:5000->10.244.2.7:80: read: no route to host', 'error'],
    // SCTP: a refusal is only visible in OTHER's text; a kernel without SCTP cannot even try.
    [1, 'OTHER: connection refused', 'refused'],
    [1, 'OTHER: protocol not supported', 'error'],
    [1, 'DNS: lookup nosuch.lab.test on 127.0.0.53:53: no such host', 'dns-error'],
    [1, 'I1101 12:00:00 log line\nTIMEOUT: after a log line', 'timeout'],
    [1, 'TIMEOUTS everywhere', 'error'],
    [1, 'no prefix at all', 'error'],
    [127, 'sh: /agnhost: not found', 'error'],
    [137, 'TIMEOUT', 'error'],
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

  // Bodies real netexec 2.56 answered in test/real/agnhost-probes.test.ts (one key, never both).
  test.each([
    [`{"errors":["reading from udp connection failed. err:'read udp 192.0.2.10:37627-\\u003e192.0.2.20:84: i/o timeout'"]}`, 'timeout'],
    [`{"errors":["reading from udp connection failed. err:'read udp 192.0.2.10:49388-\\u003e192.0.2.20:81: read: connection refused'"]}`, 'refused'],
    ['{"errors":["Get \\"http://192.0.2.20:84/clientip\\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"]}', 'timeout'],
    ['{"errors":["Get \\"http://192.0.2.20:83/clientip\\": dial tcp 192.0.2.20:83: connect: connection refused"]}', 'refused'],
    ['{"errors":["Get \\"http://192.0.2.20:87/clientip\\": dial tcp 192.0.2.20:87: connect: no route to host"]}', 'error'],
    ['{"errors":["sctp dial failed. err:connection refused"]}', 'refused'],
    ['{"errors":["sctp dial failed. err:protocol not supported"]}', 'error'],
    ['{"errors":["strange"]}', 'error'],
    ['<html>not json</html>', 'error'],
  ] as const)('%s → %s', (output, outcome) => {
    expect(classify('p', dial, 0, output).outcome).toBe(outcome);
  });

  test('an unresolvable host is netexec\'s 400 text, a DNS error', () => {
    const body = 'host and/or port param are invalid. lookup nosuch.lab.test on 127.0.0.53:53: no such host\n';
    const result = classify('p', dial, 0, body);
    expect(result.outcome).toBe('dns-error');
    expect(result.detail.firstLine).toBe(body.trim());
    const withHeaders = `HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`;
    expect(classify('p', dial, 0, withHeaders)).toMatchObject({ outcome: 'dns-error', detail: { httpStatus: 400 } });
  });

  test('curl giving up on the local netexec while it still waits for the target is a timeout', () => {
    expect(classify('p', dial, 28, 'curl: (28) Operation timed out after 2002 milliseconds with 0 bytes received').outcome).toBe('timeout');
  });

  test('any other failing curl to the local netexec is a harness error', () => {
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
