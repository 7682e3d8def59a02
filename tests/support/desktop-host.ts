// Main's session-core plumbing (CoreHost) running in Node against the real utility entry in child
// processes (utility-host.ts): the stand-in of Electron main used by the desktop tests and
// benchmarks. Windows are DesktopSessions (the renderer's own port handling) fed by the host.
import { vi } from 'vitest';
import type { CoreStatus } from '@switchboard/protocol/desktop';
import { CoreHost, type CoreWindow, type SecretStore } from '../../main/src/core/core-host.ts';
import type { Timers } from '../../main/src/core/supervisor.ts';
import { RecordingLog } from '../../main/src/testing/fakes.ts';
import { DesktopSession } from '../../renderer/src/session/desktop.ts';
import { tempDir } from './tempDirs.ts';
import { createBridgeChannel, StandInUtility, type BridgePort } from './utility-host.ts';

/** Where main keeps the token between runs; here in memory, with every save recorded. */
export class MemorySecrets implements SecretStore {
  readonly saved: (string | null)[] = [];
  constructor(private token: string | null = null) {}
  load(): string | null {
    return this.token;
  }
  save(token: string | null): void {
    this.token = token;
    this.saved.push(token);
  }
}

/** A window as the host sees it, showing its session through DesktopSession. */
export class TestWindow implements CoreWindow<BridgePort> {
  readonly session = new DesktopSession();
  readonly statuses: CoreStatus[] = [];
  ports = 0;
  constructor(readonly id: number) {}
  sendPort(port: BridgePort): void {
    this.ports += 1;
    this.session.attach(port);
  }
  sendStatus(status: CoreStatus): void {
    this.statuses.push(status);
    this.session.coreStatus(status);
  }
}

export interface DesktopCore {
  host: CoreHost<BridgePort>;
  /** Every utility process started so far, the current one last. */
  children: StandInUtility[];
  current(): StandInUtility;
  secrets: MemorySecrets;
  log: RecordingLog;
  dataDir: string;
  logsDir: string;
  stop(): Promise<void>;
}

export function startDesktopCore(
  options: {
    dataDir?: string;
    secrets?: MemorySecrets;
    timers?: Timers;
    crashLoopAfter?: number;
    /** Run this file as the utility entry (the built bundle) instead of the source. */
    entry?: string;
  } = {},
): DesktopCore {
  const children: StandInUtility[] = [];
  const secrets = options.secrets ?? new MemorySecrets();
  const log = new RecordingLog();
  const dataDir = options.dataDir ?? tempDir('switchboard-desktop-data-');
  const logsDir = tempDir('switchboard-desktop-logs-');
  const host = new CoreHost<BridgePort>({
    launch: () => {
      const child = new StandInUtility(options.entry ? { STANDIN_UTILITY_ENTRY: options.entry } : {});
      children.push(child);
      return child;
    },
    createChannel: createBridgeChannel,
    secrets,
    dataDir,
    logsDir,
    log,
    timers: options.timers,
    crashLoopAfter: options.crashLoopAfter,
  });
  host.start();
  return {
    host,
    children,
    current: () => children[children.length - 1]!,
    secrets,
    log,
    dataDir,
    logsDir,
    stop: async () => {
      await host.shutdown();
      for (const child of children) if (child.pid !== undefined) child.crash();
    },
  };
}

/** Waits until `probe` (sync or async) gives something truthy; fails naming `what` after `timeoutMs`. */
export function until<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  return vi.waitFor(
    async () => {
      const value = await probe();
      if (!value) throw new Error(`timed out waiting for ${what}`);
      return value as NonNullable<T>;
    },
    { timeout: timeoutMs, interval: 25 },
  );
}
