export { runDoctor, renderDoctorReport, doctorExitCode, type DoctorInput } from './doctor.ts';
export { systemProbes, hostPaths, dockerRunner, type DoctorProbes, type HostPaths, type CommandResult } from './probes.ts';
export {
  checkDocker,
  checkKind,
  checkKernelModule,
  checkKernelVersion,
  checkSysctl,
  checkMemory,
  collectPrereqs,
  compareVersions,
  type CellPrereq,
} from './checks.ts';
export { CHECK_STATUSES, type CheckResult, type CheckStatus, type DoctorReport } from './types.ts';
