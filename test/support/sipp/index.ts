export { freeDualPort, freePort, isFree, isLoopback, type PortProtocol } from './free-port';
export { isListening, waitUntilListening } from './listening-probe';
export { SCENARIO_DIR, resolveScenario } from './sipp-args';
export { assertSippSuccess, formatSippReport, type ReportOptions } from './sipp-assert';
export { SippHarnessError, type SippHarnessErrorCode } from './sipp-error';
export {
  SIPP_BIN,
  discardWorkDir,
  isSippInstalled,
  isSuccessful,
  runSipp,
  skipWithoutSipp,
  startSipp,
  type KeepWorkDir,
  type SippOptions,
  type SippResult,
  type SippRetransmissionOptions,
  type SippRun,
  type SippRunOptions,
  type SippTransport,
} from './sipp-runner';
export type { SippMessageCount, SippStats } from './sipp-stats';
