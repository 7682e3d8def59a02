// The session core's worker script, as the web build bundles it: connect.ts starts it with
// `new URL('./worker.ts', import.meta.url)`, which Vite turns into a worker chunk of its own.
import '@switchboard/client/worker';
