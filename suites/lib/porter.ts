// An agnhost porter container: one process serving HTTP on many TCP ports (one SERVE_PORT_<n>
// variable each), where netexec would need a container per port.
import { testImages } from '../../clusters/versions.ts';

export interface PorterPort {
  port: number;
  /** The container port's name (named ports in policies resolve against it). */
  name: string;
}

export function porterContainer(name: string, ports: PorterPort[]): Record<string, unknown> {
  if (ports.length === 0) throw new Error(`porter container ${name} needs at least one port`);
  return {
    name,
    image: testImages.agnhost,
    imagePullPolicy: 'IfNotPresent',
    args: ['porter'],
    // porter answers every request on a port with that variable's value.
    env: ports.map(({ port }) => ({ name: `SERVE_PORT_${port}`, value: `porter ${port}` })),
    ports: ports.map(({ port, name: portName }) => ({ name: portName, containerPort: port, protocol: 'TCP' })),
    // Every port is served by the same process, started at once: one of them answering is enough.
    readinessProbe: { tcpSocket: { port: ports[0]!.port }, periodSeconds: 1 },
    securityContext: {},
  };
}
