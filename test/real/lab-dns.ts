// A DNS server for lab hosts, run with node inside one: A records for the names it is given,
// SERVFAIL for names under the given failing domains (an upstream that cannot be reached), and
// NXDOMAIN for everything else, so resolvers meet the answers CoreDNS gives. It prints every
// name it is asked, one per line, so a test can see which names a resolver tried.
import { waitUntil, type LabHost, type LabProcess } from './netns.ts';

export interface LabZone {
  /** Fully qualified name (trailing dot) → IPv4 address. */
  records?: Record<string, string>;
  /** Domains (trailing dot) whose names are answered SERVFAIL. */
  failing?: string[];
}

// Header: the query's id, QR + its opcode and RD, RA and the RCODE; the question echoed, then at
// most one A record pointing back at the question's name.
const SERVER = `
const [address, zoneJson] = process.argv.slice(1);
const zone = JSON.parse(zoneJson);
const socket = require('node:dgram').createSocket('udp4');
function nameOf(query) {
  const labels = [];
  for (let i = 12; i < query.length && query[i] !== 0; i += query[i] + 1) labels.push(query.subarray(i + 1, i + 1 + query[i]).toString());
  return (labels.join('.') + '.').toLowerCase();
}
socket.on('message', (query, peer) => {
  if (query.length < 12) return;
  let end = 12;
  while (end < query.length && query[end] !== 0) end += query[end] + 1;
  const question = query.subarray(12, end + 5);
  const qtype = query.readUInt16BE(end + 1);
  const name = nameOf(query);
  console.log(name);
  const ip = (zone.records || {})[name];
  const failing = (zone.failing || []).some((d) => name === d || name.endsWith('.' + d));
  const rcode = ip !== undefined ? 0 : failing ? 2 : 3;
  const answer = ip !== undefined && qtype === 1
    ? Buffer.concat([Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4]), Buffer.from(ip.split('.').map(Number))])
    : Buffer.alloc(0);
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header[2] = 0x80 | (query[2] & 0x79);
  header[3] = 0x80 | rcode;
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answer.length > 0 ? 1 : 0, 6);
  socket.send(Buffer.concat([header, question, answer]), peer.port, peer.address);
});
socket.bind(53, address, () => console.log('listening'));
`;

/** Starts the server on address:53 in `host`; resolves once it listens. */
export async function startLabDns(host: LabHost, address: string, zone: LabZone = {}): Promise<LabProcess> {
  const server = host.spawn([process.execPath, '-e', SERVER, address, JSON.stringify(zone)]);
  await waitUntil(`the lab DNS server in ${host.name}`, async () => {
    if (!server.running) throw new Error(`the lab DNS server in ${host.name} exited: ${server.output}`);
    return server.output.includes('listening');
  });
  return server;
}

/** The names the server was asked, in order. */
export function namesAsked(server: LabProcess): string[] {
  return server.output.split('\n').filter((line) => line.endsWith('.'));
}
