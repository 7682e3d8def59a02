// The platform the std code may use: the few web-standard globals that browsers, workers, Node and
// Electron all provide. The std tsconfig sees these and nothing else of DOM or Node, so code here
// that reaches for `window`, `document`, `process` or `node:*` does not compile.

declare function setTimeout(run: () => void, ms?: number): unknown;
declare function clearTimeout(handle: unknown): void;
declare function queueMicrotask(run: () => void): void;

declare const console: {
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
};

declare class URL {
  constructor(url: string, base?: string);
  readonly origin: string;
  readonly protocol: string;
}

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  throwIfAborted(): void;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
declare class AbortController {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}

/** The event a message port hands its `message` listeners (only `data` is read). */
interface Event {
  readonly type: string;
}

interface Response {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}
declare function fetch(
  url: string,
  init?: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | FormData;
    signal?: AbortSignal;
  },
): Promise<Response>;

/** Bytes handed over in parts; browsers may keep large ones on disk rather than in memory. */
declare class Blob {
  constructor(parts: readonly (ArrayBuffer | Blob)[], options?: { type?: string });
  readonly size: number;
}
declare class FormData {
  append(name: string, value: Blob, fileName?: string): void;
}
