// Human words for a decision: which side denied and which policies isolate it, or which
// policy, rule, peer and port entry admitted the connection on each side.
import type { CompiledModel } from './compile.ts';
import type { Decision, SideDecision } from './decide.ts';
import { describePortEntry } from './ports.ts';
import { probeKey, type Explanation, type SideVerdict } from './types.ts';

export function explanation(model: CompiledModel, decision: Decision): Explanation {
  return { allowed: decision.allowed, egress: verdict(decision.egress), ingress: verdict(decision.ingress), text: explanationText(model, decision) };
}

function verdict(side: SideDecision): SideVerdict {
  return {
    isolated: side.isolated,
    isolatingPolicies: side.isolatingPolicies,
    ...(side.allowedBy ? { allowedBy: side.allowedBy } : {}),
    ...(side.exemption ? { exemption: side.exemption } : {}),
  };
}

export function explanationText(model: CompiledModel, decision: Decision): string {
  const { connection } = decision;
  const on = `${probeKey(connection.probe)}`;
  if (decision.missingFamily) {
    const lacking = connection.from.address === undefined ? connection.from : connection.to;
    return `denied: ${lacking.label} has no IPv${connection.family} address, so ${connection.from.label} cannot reach ${connection.to.label} over IPv${connection.family}`;
  }
  if (!connection.from.pod && !connection.to.pod) {
    return `allowed: neither ${connection.from.label} nor ${connection.to.label} is a pod, so no NetworkPolicy applies`;
  }
  const sides = [decision.egress, decision.ingress];
  if (decision.allowed) return `allowed: ${sides.map((side) => admittedText(model, side)).join('; ')}`;
  return `denied: ${sides.filter((side) => !side.admits).map((side) => deniedText(model, side, on)).join('; ')}`;
}

function deniedText(model: CompiledModel, side: SideDecision, on: string): string {
  const policies = side.isolatingPolicies.map((key) => model.policies.find((policy) => policy.key === key)!);
  const isolatedBy = policies.map((policy) => `${policy.key} (${policy.selectsDescription})`).join(', ');
  const noun = policies.length === 1 ? 'policy' : 'policies';
  return `${side.subject.label} is isolated for ${side.direction} by ${noun} ${isolatedBy} and no ${side.direction} rule of ${side.isolatingPolicies.join(', ')} admits ${side.peer.label} on ${on}`;
}

function admittedText(model: CompiledModel, side: SideDecision): string {
  if (!side.subject.pod) return `${side.direction}: ${side.subject.label} is not a pod`;
  if (side.exemption) return `${side.direction}: ${side.exemption}`;
  if (!side.allowedBy) return `${side.direction}: ${side.subject.label} is not isolated for ${side.direction}`;
  const { policy: key, rule, peer, port } = side.allowedBy;
  const compiledRule = model.policies.find((policy) => policy.key === key)!.rules[side.direction][rule]!;
  const field = side.direction === 'ingress' ? 'from' : 'to';
  const peerText = peer === undefined ? `every ${field === 'from' ? 'source' : 'destination'}` : `${field}[${peer}] ${compiledRule.peers![peer]!.description}`;
  const portText = port === undefined ? 'every port' : `ports[${port}] ${describePortEntry(compiledRule.ports![port]!)}`;
  return `${side.direction}: ${side.subject.label} admitted by ${key} spec.${side.direction}[${rule}] (${peerText}; ${portText})`;
}
