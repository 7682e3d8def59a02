// pino-roll ships no types; this is the part of its API we use (see its README).
declare module 'pino-roll' {
  import type { DestinationStream } from 'pino';
  interface RollOptions {
    file: string;
    extension?: string;
    size?: string | number;
    frequency?: 'daily' | 'hourly' | number;
    limit?: { count: number; removeOtherLogFiles?: boolean };
    mkdir?: boolean;
    dateFormat?: string;
    sync?: boolean;
  }
  export default function roll(
    options: RollOptions,
  ): Promise<DestinationStream & { flushSync(): void; end(): void }>;
}
