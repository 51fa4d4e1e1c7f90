// The command forms of docs/probe-protocol.md, each answered from the dataplane model with the
// output, error texts and exit codes of the real tool (agnhost connect, curl, dig, cat, hostname,
// iptables-save, nft, head, printf, touch, rm) and the `> FILE` redirect of `sh -c`.
import { ciliumDbg } from './cilium.ts';
import { sourceIp, type DataplaneContext } from './context.ts';
import { candidateNames, query, renderResolvConf, resolvConf, reverseName } from './dns.ts';
import { podHostname, serveHttp, statusText } from './http.ts';
import { servedCertificate } from './ingress-tls.ts';
import { connect, type ConnectionResult } from './network.ts';
import { iptablesSaveNat, nftKubeProxyTable, procNetIpVs } from './rules.ts';
import { lookupError, resolveHost } from './resolve.ts';
import { podKeyOf, type Protocol, type SimPod } from './state.ts';
import { caFileFailure, defaultCertificateFailure, parseCertificates, verifyPeer, type TlsFailure } from './tls-verify.ts';
import type { DnsAnswer, DnsRecord } from '../faults/types.ts';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const ok = (stdout: string): CommandResult => ({ stdout, stderr: '', exitCode: 0 });
const fail = (stderr: string, exitCode = 1, stdout = ''): CommandResult => ({ stdout, stderr, exitCode });

function splitHostPort(target: string): { host: string; port: number } | undefined {
  const idx = target.lastIndexOf(':');
  if (idx <= 0) return undefined;
  const port = Number(target.slice(idx + 1));
  return Number.isInteger(port) && port > 0 ? { host: target.slice(0, idx).replace(/^\[|\]$/g, ''), port } : undefined;
}

function agnhostConnect(ctx: DataplaneContext, pod: SimPod, args: string[]): CommandResult {
  const target = args.find((a) => !a.startsWith('--'));
  const protocol = (args.find((a) => a.startsWith('--protocol='))?.split('=')[1] ?? 'tcp').toUpperCase();
  const hostPort = target ? splitHostPort(target) : undefined;
  if (!hostPort || !['TCP', 'UDP', 'SCTP'].includes(protocol)) {
    return fail(`OTHER: usage: connect [host:port] --timeout=<d> --protocol=tcp|udp|sctp (got ${args.join(' ')})\n`);
  }
  const resolved = resolveHost(ctx, pod, hostPort.host);
  if (!resolved.ip) return fail(`DNS: ${lookupError(hostPort.host, resolved, sourceIp(ctx, pod), ctx.memory.ephemeralPort())}\n`);
  // The socket itself cannot be created (agnhost 2.56 on a kernel without SCTP, test/real/agnhost-probes.test.ts).
  if (protocol === 'SCTP' && ctx.faults.some((f) => f.kernelWithoutSctp)) return fail('OTHER: protocol not supported\n');
  const result = connect(ctx, pod, resolved.ip, hostPort.port, protocol as Protocol);
  if (result.outcome === 'connected') return ok('');
  if (protocol === 'UDP') {
    // The failed read on the connected socket, named by its local and remote address.
    const socket = `udp ${sourceIp(ctx, pod)}:${ctx.memory.ephemeralPort()}->${resolved.ip}:${hostPort.port}`;
    return fail(result.outcome === 'refused' ? `REFUSED: read ${socket}: read: connection refused\n` : `TIMEOUT: read ${socket}: i/o timeout\n`);
  }
  // TCP says only TIMEOUT or REFUSED; SCTP reports a refusal as an OTHER error (agnhost 2.56,
  // test/real/agnhost-probes.test.ts).
  if (protocol === 'SCTP' && result.outcome === 'refused') return fail('OTHER: connection refused\n');
  return fail(result.outcome === 'refused' ? 'REFUSED\n' : 'TIMEOUT\n');
}

interface CurlOptions {
  url: string;
  include: boolean;
  insecure: boolean;
  maxTimeS: number;
  headers: Record<string, string>;
  method: string | undefined;
  resolve: Map<string, string>;
  data: string | undefined;
  caFile: string | undefined;
}

const CURL_VALUE_FLAGS = new Set(['--max-time', '-m', '-H', '--header', '-X', '--request', '--resolve', '--data-binary', '-d', '--data', '--max-filesize', '-o', '--output', '--connect-timeout', '-w', '--cacert']);

function parseCurl(args: string[]): CurlOptions | string {
  const opts: CurlOptions = { url: '', include: false, insecure: false, maxTimeS: 0, headers: {}, method: undefined, resolve: new Map(), data: undefined, caFile: undefined };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (CURL_VALUE_FLAGS.has(arg)) {
      const value = args[++i];
      if (value === undefined) return `curl: option ${arg}: requires parameter`;
      if (arg === '--max-time' || arg === '-m') opts.maxTimeS = Number(value);
      else if (arg === '-H' || arg === '--header') {
        const colon = value.indexOf(':');
        if (colon > 0) opts.headers[value.slice(0, colon).trim().toLowerCase()] = value.slice(colon + 1).trim();
      } else if (arg === '-X' || arg === '--request') opts.method = value;
      else if (arg === '--resolve') {
        const [host, port, ip] = value.split(':');
        if (host && port && ip) opts.resolve.set(`${host}:${port}`, ip);
      } else if (arg === '--data-binary' || arg === '-d' || arg === '--data') opts.data = value;
      else if (arg === '--cacert') opts.caFile = value;
    } else if (arg.startsWith('-') && !arg.startsWith('--')) {
      for (const letter of arg.slice(1)) {
        if (letter === 'i') opts.include = true;
        else if (letter === 'k') opts.insecure = true;
        else if (!'sSfLv'.includes(letter)) return `curl: option -${letter}: is unknown`;
      }
    } else if (arg === '--include') opts.include = true;
    else if (arg === '--insecure') opts.insecure = true;
    else if (arg.startsWith('--')) {
      if (!['--silent', '--show-error', '--fail', '--location', '--verbose'].includes(arg)) return `curl: option ${arg}: is unknown`;
    } else opts.url = arg;
  }
  if (!opts.url) return 'curl: no URL specified';
  return opts;
}

/** The files a pod's commands wrote (kept across execs, like the container's filesystem). */
function podFiles(ctx: DataplaneContext, pod: SimPod): Map<string, string> {
  const key = podKeyOf(pod);
  const files = ctx.memory.files.get(key) ?? new Map<string, string>();
  ctx.memory.files.set(key, files);
  return files;
}

function bodySize(ctx: DataplaneContext, pod: SimPod, opts: CurlOptions): number {
  const declared = opts.headers['content-length'];
  if (declared !== undefined) return Number(declared);
  if (opts.data === undefined) return 0;
  if (opts.data.startsWith('@')) return Buffer.byteLength(podFiles(ctx, pod).get(opts.data.slice(1)) ?? '');
  return Buffer.byteLength(opts.data);
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * curl's verification of the controller's certificate: the one it presents for the SNI name (the
 * URL host; an IP literal sends no SNI), against the --cacert file or else the system bundle.
 */
function ingressTlsFailure(ctx: DataplaneContext, pod: SimPod, host: string, caFile: string | undefined): TlsFailure | undefined {
  let trusted: string | undefined;
  if (caFile !== undefined) {
    trusted = podFiles(ctx, pod).get(caFile);
    if (trusted === undefined || parseCertificates(trusted).length === 0) return caFileFailure(caFile);
  }
  const served = servedCertificate(ctx, IPV4.test(host) ? undefined : host);
  if (!served) return defaultCertificateFailure();
  return verifyPeer(served.chain, host, trusted);
}

function curl(ctx: DataplaneContext, pod: SimPod, args: string[]): CommandResult {
  const opts = parseCurl(args);
  if (typeof opts === 'string') return fail(`${opts}\ncurl: try 'curl --help' for more information\n`, 2);
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//.test(opts.url) ? opts.url : `http://${opts.url}`);
  } catch {
    return fail(`curl: (3) URL rejected: Malformed input to a URL function\n`, 3);
  }
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = Number(url.port || (scheme === 'https' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const maxMs = Math.round(opts.maxTimeS * 1000);
  const resolved = opts.resolve.has(`${host}:${port}`) ? { ip: opts.resolve.get(`${host}:${port}`) } : resolveHost(ctx, pod, host);
  if (!resolved.ip) {
    if (resolved.timedOut) return fail(`curl: (28) Resolving timed out after ${maxMs} milliseconds\n`, 28);
    return fail(`curl: (6) Could not resolve host: ${host}\n`, 6);
  }
  const conn: ConnectionResult = connect(ctx, pod, resolved.ip, port, 'TCP');
  if (conn.outcome === 'refused') return fail(`curl: (7) Failed to connect to ${host} port ${port} after 0 ms: Could not connect to server\n`, 7);
  if (conn.outcome === 'timeout') return fail(`curl: (28) Connection timed out after ${maxMs} milliseconds\n`, 28);
  if (scheme === 'https') {
    if (conn.listener?.application !== 'ingress-nginx') return fail('curl: (35) OpenSSL/3.3.2: error:0A00010B:SSL routines::wrong version number\n', 35);
    const tls = opts.insecure ? undefined : ingressTlsFailure(ctx, pod, host, opts.caFile);
    if (tls) return fail(tls.message, tls.exitCode);
  }
  const headers = { ...opts.headers };
  headers.host ??= url.port ? `${host}:${url.port}` : host;
  const method = opts.method ?? (opts.data !== undefined ? 'POST' : 'GET');
  const response = serveHttp(ctx, conn, { method, scheme, host: headers.host, path: url.pathname + url.search, headers, clientIp: conn.clientIp, bodySize: bodySize(ctx, pod, opts) });
  if (response.status === 0) return fail('curl: (52) Empty reply from server\n', 52);
  if (maxMs > 0 && (response.answerAfterMs ?? 0) > maxMs) return fail(`curl: (28) Operation timed out after ${maxMs} milliseconds with 0 bytes received\n`, 28);
  if (!opts.include) return ok(response.body);
  const head = [`HTTP/1.1 ${response.status} ${statusText(response.status)}`, ...response.headers.map(([k, v]) => `${k}: ${v}`)];
  return ok(`${head.join('\r\n')}\r\n\r\n${response.body}`);
}

interface DigOptions {
  search: boolean;
  short: boolean;
  name: string;
  type: string;
  server: string | undefined;
  /** Queries sent to a server before giving up on it: +tries=N, or +retry=N as N + 1; dig's default is 3. */
  tries: number;
}

function parseDig(args: string[]): DigOptions | string {
  const opts: DigOptions = { search: false, short: false, name: '', type: 'A', server: undefined, tries: 3 };
  const types = ['A', 'AAAA', 'SRV', 'CNAME', 'PTR', 'TXT', 'MX', 'NS', 'SOA', 'ANY'];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '+search') opts.search = true;
    else if (arg === '+nosearch') opts.search = false;
    else if (arg === '+short') opts.short = true;
    else if (/^\+tries=\d+$/.test(arg)) opts.tries = Math.max(1, Number(arg.slice('+tries='.length)));
    else if (/^\+retry=\d+$/.test(arg)) opts.tries = Number(arg.slice('+retry='.length)) + 1;
    else if (arg.startsWith('+')) continue;
    else if (arg === '-x') {
      const ip = args[++i];
      if (!ip) return 'dig: option -x requires an address';
      opts.name = reverseName(ip);
      opts.type = 'PTR';
    } else if (arg.startsWith('@')) opts.server = arg.slice(1);
    else if (types.includes(arg.toUpperCase()) && opts.name !== '') opts.type = arg.toUpperCase();
    else opts.name = arg;
  }
  if (!opts.name) return 'dig: no name given';
  return opts;
}

function renderDig(args: string[], name: string, type: string, server: string, answer: DnsAnswer): string {
  const records = answer.records;
  const lines = [
    '',
    `; <<>> DiG 9.18.33 <<>> ${args.join(' ')}`,
    ';; global options: +cmd',
    ';; Got answer:',
    `;; ->>HEADER<<- opcode: QUERY, status: ${answer.rcode}, id: ${10000 + (name.length * 97) % 50000}`,
    `;; flags: qr aa rd; QUERY: 1, ANSWER: ${records.length}, AUTHORITY: 0, ADDITIONAL: 1`,
    '',
    ';; QUESTION SECTION:',
    `;${name}\t\tIN\t${type}`,
    '',
  ];
  if (records.length > 0) {
    lines.push(';; ANSWER SECTION:', ...records.map((r: DnsRecord) => `${r.name}\t${r.ttl}\tIN\t${r.type}\t${r.data}`), '');
  }
  lines.push(';; Query time: 0 msec', `;; SERVER: ${server}#53(${server}) (UDP)`, `;; WHEN: ${new Date().toUTCString()}`, ';; MSG SIZE  rcvd: 100', '');
  return `${lines.join('\n')}\n`;
}

function dig(ctx: DataplaneContext, pod: SimPod, args: string[]): CommandResult {
  const opts = parseDig(args);
  if (typeof opts === 'string') return fail(`${opts}\n`, 1);
  const conf = resolvConf(ctx, pod);
  const servers = opts.server ? [opts.server] : conf.nameservers;
  let last: { name: string; server: string; answer: DnsAnswer } | undefined;
  for (const name of candidateNames(opts.name, conf, opts.search)) {
    let reached = false;
    servers: for (const server of servers) {
      // A lost query is sent again, up to `tries` times (bind9 bin/dig/dig.rst: +tries, default 3).
      for (let attempt = 0; attempt < opts.tries; attempt++) {
        const reply = query(ctx, pod, server, { name, type: opts.type, pod });
        if (!reply.reached) continue;
        reached = true;
        last = { name, server, answer: reply.answer };
        break servers;
      }
    }
    if (!reached) return fail('', 9, ';; connection timed out; no servers could be reached\n');
    // dig walks the search list on NXDOMAIN only; any other answer (SERVFAIL too) ends the lookup
    // (bind9 bin/dig/dighost.c: next_origin is called for dns_rcode_nxdomain alone).
    if (last?.answer.rcode !== 'NXDOMAIN') break;
  }
  if (!last) return fail('', 9, ';; connection timed out; no servers could be reached\n');
  if (opts.short) return ok(last.answer.records.map((r) => `${r.data}\n`).join(''));
  return ok(renderDig(args, last.name, opts.type, last.server, last.answer));
}

function cat(ctx: DataplaneContext, pod: SimPod, args: string[]): CommandResult {
  const path = args[0];
  if (path === '/etc/resolv.conf') return ok(renderResolvConf(resolvConf(ctx, pod)));
  if (path === '/proc/net/ip_vs' && pod.hostNetwork) {
    const table = procNetIpVs(ctx);
    if (table !== undefined) return ok(table);
  }
  const contents = path ? podFiles(ctx, pod).get(path) : undefined;
  if (contents !== undefined) return ok(contents);
  return fail(`cat: can't open '${path ?? ''}': No such file or directory\n`);
}

function isKubeProxyPod(pod: SimPod): boolean {
  return pod.namespace === 'kube-system' && pod.labels['k8s-app'] === 'kube-proxy';
}

function nft(ctx: DataplaneContext, pod: SimPod, args: string[]): CommandResult {
  const wanted = args.join(' ');
  if (!isKubeProxyPod(pod)) return fail('sh: nft: not found\n', 127);
  const table = wanted === 'list table ip kube-proxy' ? nftKubeProxyTable(ctx) : undefined;
  if (table !== undefined) return ok(table);
  return fail(`Error: No such file or directory\n${wanted}\n${' '.repeat(wanted.lastIndexOf(' ') + 1)}${'^'.repeat(wanted.length - wanted.lastIndexOf(' ') - 1)}\n`);
}

/** `head -c N FILE` / `head [-n N] FILE`: FILE is /dev/zero (with -c) or a file the pod wrote. */
function head(ctx: DataplaneContext, pod: SimPod, args: string[]): CommandResult {
  const [flag, count, path, ...rest] = args.length === 1 ? ['-n', '10', ...args] : args;
  if ((flag !== '-c' && flag !== '-n') || !/^\d+$/.test(count ?? '') || !path || rest.length > 0) {
    return fail(`sh: unsupported command: head ${args.join(' ')}\n`, 127);
  }
  const n = Number(count);
  if (path === '/dev/zero') {
    if (flag === '-c') return ok('\0'.repeat(n));
    return fail('sh: unsupported command: head -n on /dev/zero (it has no lines, head would never return)\n', 127);
  }
  const contents = podFiles(ctx, pod).get(path);
  if (contents === undefined) return fail(`head: ${path}: No such file or directory\n`);
  if (flag === '-c') return ok(Buffer.from(contents).subarray(0, n).toString());
  return ok(contents.split(/(?<=\n)/).slice(0, n).join(''));
}

const PRINTF_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v', '"': '"', "'": "'" };

/** Backslash escapes as printf expands them in its format (and in %b arguments). */
function unescape(text: string): string {
  return text.replace(/\\([0-7]{1,3}|.)/g, (all, c: string) => (/^[0-7]+$/.test(c) ? String.fromCharCode(parseInt(c, 8)) : (PRINTF_ESCAPES[c] ?? all)));
}

function pad(text: string, flags: string, width: string): string {
  const w = Number(width || '0');
  if (text.length >= w) return text;
  if (flags.includes('-')) return text.padEnd(w);
  if (flags.includes('0') && /^-?\d+$/.test(text)) return text.startsWith('-') ? `-${text.slice(1).padStart(w - 1, '0')}` : text.padStart(w, '0');
  return text.padStart(w);
}

const PRINTF_DIRECTIVE = /(%[-+ #0]*\d*(?:\.\d+)?[a-zA-Z%]?)/;

/**
 * busybox printf: FORMAT (backslash escapes; %s %b %d %i %% with flags, width and precision) is
 * applied again while arguments remain. An invalid number is reported and printed as 0 (exit 1).
 */
function printf(args: string[]): CommandResult {
  const [format, ...values] = args;
  if (format === undefined) return fail('printf: usage: printf FORMAT [ARG]...\n', 2);
  // Odd indices are directives, even indices the literal text between them.
  const pieces = format.split(PRINTF_DIRECTIVE);
  let out = '';
  let errors = '';
  let next = 0;
  do {
    const before = next;
    for (const [i, piece] of pieces.entries()) {
      if (i % 2 === 0) {
        out += unescape(piece);
        continue;
      }
      const [, flags = '', width = '', precision, conv] = /^%([-+ #0]*)(\d*)(?:\.(\d+))?(.?)$/.exec(piece) ?? [];
      if (conv === '%') out += '%';
      else if (conv === 's' || conv === 'b') {
        const raw = values[next++] ?? '';
        const text = conv === 'b' ? unescape(raw) : raw;
        out += pad(precision !== undefined ? text.slice(0, Number(precision)) : text, flags, width);
      } else if (conv === 'd' || conv === 'i') {
        const raw = values[next++] ?? '0';
        const valid = /^\s*[-+]?\d+\s*$/.test(raw);
        if (!valid) errors += `printf: invalid number '${raw}'\n`;
        out += pad(valid ? String(parseInt(raw, 10)) : '0', flags, width);
      } else return fail(`printf: ${piece}: invalid format\n`, 1, out);
    }
    if (next === before) break;
  } while (next < values.length);
  return errors ? fail(errors, 1, out) : ok(out);
}

/** `touch FILE...`: creates the files that do not exist (the disruption monitor's stop file). */
function touch(ctx: DataplaneContext, pod: SimPod, paths: string[]): CommandResult {
  if (paths.length === 0) return fail('touch: missing file operand\n');
  const files = podFiles(ctx, pod);
  for (const path of paths) if (!files.has(path)) files.set(path, '');
  return ok('');
}

/** `rm [-f] FILE...`: -f says nothing about files that are not there. */
function rm(ctx: DataplaneContext, pod: SimPod, args: string[]): CommandResult {
  const force = args.includes('-f');
  const files = podFiles(ctx, pod);
  let errors = '';
  for (const path of args.filter((a) => a !== '-f')) {
    if (!files.delete(path) && !force) errors += `rm: can't remove '${path}': No such file or directory\n`;
  }
  return errors ? fail(errors) : ok('');
}

/** `COMMAND... > PATH` as sh runs it: PATH is created (truncated) first, then receives the command's stdout. */
function redirected(ctx: DataplaneContext, pod: SimPod, argv: string[]): CommandResult {
  const at = argv.indexOf('>');
  const path = argv[at + 1];
  if (!path || path === '>') return fail(`sh: syntax error: unexpected ${path === '>' ? 'redirection' : 'newline'}\n`, 2);
  const files = podFiles(ctx, pod);
  files.set(path, '');
  const result = runCommand(ctx, pod, [...argv.slice(0, at), ...argv.slice(at + 2)]);
  files.set(path, result.stdout);
  return { ...result, stdout: '' };
}

/** Runs one command (argv) in a pod and returns what the real tool would print. */
export function runCommand(ctx: DataplaneContext, pod: SimPod, argv: string[]): CommandResult {
  if (argv.includes('>')) return redirected(ctx, pod, argv);
  const [program, ...args] = argv;
  const base = (program ?? '').split('/').pop();
  switch (base) {
    case 'agnhost':
      if (args[0] === 'connect') return agnhostConnect(ctx, pod, args.slice(1));
      return fail(`Error: unknown command "${args[0] ?? ''}" for "agnhost"\n`);
    case 'curl':
      return curl(ctx, pod, args);
    case 'dig':
      return dig(ctx, pod, args);
    case 'cat':
      return cat(ctx, pod, args);
    case 'hostname':
      return ok(`${podHostname(pod)}\n`);
    case 'iptables-save':
      if (!isKubeProxyPod(pod)) return fail('sh: iptables-save: not found\n', 127);
      return ok(iptablesSaveNat(ctx));
    case 'nft':
      return nft(ctx, pod, args);
    case 'head':
      return head(ctx, pod, args);
    case 'printf':
      return printf(args);
    case 'touch':
      return touch(ctx, pod, args);
    case 'rm':
      return rm(ctx, pod, args);
    case 'cilium-dbg':
      return ciliumDbg(ctx, pod, args);
    default:
      return fail(`sh: ${program ?? ''}: not found\n`, 127);
  }
}

