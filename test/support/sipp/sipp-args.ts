import { existsSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { isLoopback } from './free-port';
import { SippHarnessError } from './sipp-error';

export type SippTransport = 'udp' | 'tcp';

/** The scenarios shipped with the repository (`sip-scenarios/`). */
export const SCENARIO_DIR = resolve(__dirname, '../../../sip-scenarios');

export interface SippRetransmissionOptions {
  /** `false` passes `-nr` (no UDP retransmissions). Default true: scenarios rely on them. */
  enabled?: boolean;
  /** `-max_retrans`: retransmissions before a UDP transaction times out (SIPp: 5 INVITE, 7 others). */
  max?: number;
  /** `-max_invite_retrans`. */
  maxInvite?: number;
  /** `-max_non_invite_retrans`. */
  maxNonInvite?: number;
  /** `-T2` in milliseconds (SIPp default 4000). T1 is the `retrans` attribute of each `<send>`. */
  t2Ms?: number;
}

export interface SippOptions {
  /** A file in `sip-scenarios/` (`uac-options-200.xml`) or an absolute path. */
  scenario: string;
  /** Where a UAC scenario sends; omit for a UAS scenario, which only listens on `localPort`. */
  target?: { host: string; port: number };
  transport: SippTransport;
  /** `-i`; default 127.0.0.1, or ::1 when the target is IPv6. Must be loopback. */
  localHost?: string;
  /** `-p`; default a port free at start-up. */
  localPort?: number;
  /** `-m`: calls to place (UAC) or answer (UAS) before SIPp exits. Default 1. */
  calls?: number;
  /** `-r`: calls per rate period (SIPp default 10). */
  rate?: number;
  /** `-rp` in milliseconds (SIPp default 1000). */
  ratePeriodMs?: number;
  /** Hard deadline: SIGTERM, then SIGKILL after a grace period. Default 30 000. */
  timeoutMs?: number;
  /** SIPp's own `-timeout` (with `-timeout_error`), rounded up to seconds. Default two thirds of `timeoutMs`. */
  sippTimeoutMs?: number;
  /** `-recv_timeout`: how long a call waits for an expected message. Default 10 000. */
  recvTimeoutMs?: number;
  /** `-key name value` for each entry: `[name]` in the scenario's messages. */
  variables?: Record<string, string>;
  /** `-set name value` for each entry: a `<Global variables="name"/>` of the scenario. */
  globals?: Record<string, string>;
  /** `-inf`: a CSV injection file (`[field0]`...), absolute or relative to the scenario directory. */
  injectionFile?: string;
  /** `-d`: how long each `<pause/>` without its own duration lasts (ringing, call length). SIPp default 0. */
  pauseMs?: number;
  /** `-lost`: percentage of UDP packets SIPp drops on send and receive. */
  lost?: number;
  /** `-s`: the user part of the Request-URI (`[service]`). */
  serviceUser?: string;
  retransmissions?: SippRetransmissionOptions;
  /** Appended last, for anything not modelled here. */
  extraArgs?: string[];
}

/** The options with their defaults resolved, plus the files SIPp writes in the run's directory. */
export interface SippInvocation {
  scenarioPath: string;
  scenarioName: string;
  localHost: string;
  localPort: number;
  calls: number;
  timeoutMs: number;
  files: SippTraceFiles;
  args: string[];
}

export interface SippTraceFiles {
  messages: string;
  errors: string;
  screen: string;
  stats: string;
  callDebug: string;
  logs: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RECV_TIMEOUT_MS = 10_000;

export function resolveScenario(scenario: string): string {
  const path = isAbsolute(scenario) ? scenario : join(SCENARIO_DIR, scenario);
  if (!existsSync(path)) throw new SippHarnessError('SIPP.SCENARIO_NOT_FOUND', `no SIPp scenario at ${path}`);
  return path;
}

export function defaultLocalHost(options: Pick<SippOptions, 'localHost' | 'target'>): string {
  return options.localHost ?? (options.target?.host.includes(':') ? '::1' : '127.0.0.1');
}

/** The SIPp command line for one run (everything after the binary); validates the options first. */
export function buildSippInvocation(
  options: SippOptions,
  localPort: number,
  workDir: string,
  mediaPort?: number,
): SippInvocation {
  validate(options, localPort);
  const scenarioPath = resolveScenario(options.scenario);
  const localHost = defaultLocalHost(options);
  const calls = options.calls ?? 1;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sippTimeoutS = Math.max(1, Math.ceil((options.sippTimeoutMs ?? (timeoutMs * 2) / 3) / 1000));
  const files: SippTraceFiles = {
    messages: join(workDir, 'messages.log'),
    errors: join(workDir, 'errors.log'),
    screen: join(workDir, 'screen.log'),
    stats: join(workDir, 'stats.csv'),
    callDebug: join(workDir, 'calldebug.log'),
    logs: join(workDir, 'actions.log'),
  };
  const args: string[] = [];
  if (options.target) args.push(hostPort(options.target.host, options.target.port));
  args.push('-sf', scenarioPath, '-t', options.transport === 'udp' ? 'u1' : 't1');
  args.push('-i', localHost, '-p', String(localPort), '-bind_local', '-mi', localHost);
  // Each SIPp binds RTP echo sockets at -mp and -mp+2: free ports keep concurrent runs from colliding.
  if (mediaPort !== undefined) args.push('-mp', String(mediaPort));
  // The control socket only binds IPv4; keep it on loopback whatever the SIP family.
  args.push('-ci', '127.0.0.1');
  args.push('-m', String(calls), '-nostdin');
  args.push('-timeout', `${sippTimeoutS}s`, '-timeout_error');
  args.push('-recv_timeout', String(options.recvTimeoutMs ?? DEFAULT_RECV_TIMEOUT_MS));
  if (options.rate !== undefined) args.push('-r', String(options.rate));
  if (options.ratePeriodMs !== undefined) args.push('-rp', String(options.ratePeriodMs));
  if (options.serviceUser !== undefined) args.push('-s', options.serviceUser);
  if (options.pauseMs !== undefined) args.push('-d', String(options.pauseMs));
  if (options.lost !== undefined) args.push('-lost', String(options.lost));
  if (options.injectionFile !== undefined) args.push('-inf', resolveAgainst(options.injectionFile));
  for (const [name, value] of Object.entries(options.variables ?? {})) args.push('-key', name, value);
  for (const [name, value] of Object.entries(options.globals ?? {})) args.push('-set', name, value);
  args.push(...retransmissionArgs(options.retransmissions));
  args.push('-trace_msg', '-message_file', files.messages);
  args.push('-trace_err', '-error_file', files.errors);
  args.push('-trace_screen', '-screen_file', files.screen);
  args.push('-trace_stat', '-stf', files.stats);
  args.push('-trace_calldebug', '-calldebug_file', files.callDebug);
  args.push('-trace_logs', '-log_file', files.logs);
  args.push(...(options.extraArgs ?? []));
  return { scenarioPath, scenarioName: basename(scenarioPath), localHost, localPort, calls, timeoutMs, files, args };
}

function retransmissionArgs(retrans: SippRetransmissionOptions | undefined): string[] {
  if (!retrans) return [];
  const args: string[] = [];
  if (retrans.enabled === false) args.push('-nr');
  if (retrans.max !== undefined) args.push('-max_retrans', String(retrans.max));
  if (retrans.maxInvite !== undefined) args.push('-max_invite_retrans', String(retrans.maxInvite));
  if (retrans.maxNonInvite !== undefined) args.push('-max_non_invite_retrans', String(retrans.maxNonInvite));
  if (retrans.t2Ms !== undefined) args.push('-T2', String(retrans.t2Ms));
  return args;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function resolveAgainst(file: string): string {
  return isAbsolute(file) ? file : join(SCENARIO_DIR, file);
}

function validate(options: SippOptions, localPort: number): void {
  const problems: string[] = [];
  const hosts = [defaultLocalHost(options), ...(options.target ? [options.target.host] : [])];
  for (const host of hosts) {
    if (!isLoopback(host)) {
      throw new SippHarnessError('SIPP.NOT_LOOPBACK', `SIPp may only use 127.0.0.1 or ::1, not ${host}`);
    }
  }
  const checkInt = (name: string, value: number | undefined, min: number, max: number): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      problems.push(`${name} must be an integer in [${min}, ${max}], got ${value}`);
    }
  };
  checkInt('localPort', localPort, 1, 65535);
  checkInt('target.port', options.target?.port, 1, 65535);
  checkInt('calls', options.calls, 1, 1_000_000);
  checkInt('timeoutMs', options.timeoutMs, 100, 3_600_000);
  checkInt('sippTimeoutMs', options.sippTimeoutMs, 1, 3_600_000);
  checkInt('recvTimeoutMs', options.recvTimeoutMs, 1, 3_600_000);
  checkInt('lost', options.lost, 0, 100);
  checkInt('pauseMs', options.pauseMs, 0, 3_600_000);
  checkInt('ratePeriodMs', options.ratePeriodMs, 1, 3_600_000);
  if (options.rate !== undefined && !(options.rate > 0)) problems.push(`rate must be positive, got ${options.rate}`);
  if (options.lost !== undefined && options.transport !== 'udp') problems.push('lost only makes sense over UDP');
  for (const name of [...Object.keys(options.variables ?? {}), ...Object.keys(options.globals ?? {})]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      problems.push(`variable name ${JSON.stringify(name)} is not an identifier`);
  }
  if (problems.length > 0)
    throw new SippHarnessError('SIPP.INVALID_OPTIONS', `invalid SIPp options: ${problems.join('; ')}`);
}
