// One connection a disruption monitor holds open: established to the pod the model picks at open
// time, then one keep-alive `/echo?msg=<n>` request per tick, each answered (or not) by the path as
// the model sees it at that moment. A path that drops packets leaves the request waiting, reported
// once per second of silence as the script's `read -t 1` does; a reset (a fault, or a listener
// gone: RST) ends the connection.
import type { HeldConnection } from '../faults/types.ts';
import type { DataplaneContext } from './context.ts';
import type { MonitorHold } from './monitor-script.ts';
import { connect } from './network.ts';
import { resolveHost } from './resolve.ts';
import type { SimPod } from './state.ts';

/** The script's `read -t 1`: a stall is reported for each second without a byte of the reply. */
const STALL_MS = 1_000;

export class MonitoredConnection {
  readonly #held: HeldConnection;
  /** Where the connection ends after any Service translation. */
  readonly #ip: string;
  readonly #port: number;
  #request = 0;
  #waitingSince: number | undefined;
  #stalls = 0;
  #broken = false;

  private constructor(held: HeldConnection, ip: string, port: number) {
    this.#held = held;
    this.#ip = ip;
    this.#port = port;
  }

  /** Connects from `from`; undefined when the connect fails (`broken open`). */
  static open(ctx: DataplaneContext, from: SimPod, hold: MonitorHold, now: number): MonitoredConnection | undefined {
    const resolved = resolveHost(ctx, from, hold.host);
    if (!resolved.ip) return undefined;
    const result = connect(ctx, from, resolved.ip, hold.port, 'TCP');
    if (result.outcome !== 'connected' || !result.pod || !result.listener) return undefined;
    const ip = result.pod.hostNetwork ? resolved.ip : (result.pod.ip ?? resolved.ip);
    return new MonitoredConnection({ from, to: result.pod, openedAt: now }, ip, result.listener.port);
  }

  get intact(): boolean {
    return !this.#broken;
  }

  /** One tick: sends the next request unless one is still waiting; returns the events (`reply 3`, `stall`, `broken eof`). */
  step(ctx: DataplaneContext, from: SimPod, now: number): string[] {
    if (this.#broken) return [];
    const to = ctx.state.pods.find((p) => p.uid === this.#held.to.uid) ?? this.#held.to;
    const held: HeldConnection = { ...this.#held, from, to };
    if (ctx.faults.some((f) => f.heldConnectionReset?.(held, ctx.state))) return this.#break();
    if (this.#waitingSince === undefined) {
      this.#request++;
      this.#waitingSince = now;
      this.#stalls = 0;
    }
    const path = connect(ctx, from, this.#ip, this.#port, 'TCP');
    if (path.outcome === 'timeout') {
      if (now - this.#waitingSince < (this.#stalls + 1) * STALL_MS) return [];
      this.#stalls++;
      return ['stall'];
    }
    // Refused, or answered by another pod that took the address: either way an RST.
    if (path.outcome === 'refused' || path.pod?.uid !== this.#held.to.uid) return this.#break();
    this.#waitingSince = undefined;
    return [path.listener?.application === 'netexec' ? `reply ${this.#request}` : `wrong-reply ${this.#request}`];
  }

  #break(): string[] {
    this.#broken = true;
    return ['broken eof'];
  }
}
