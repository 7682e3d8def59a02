// Preloaded (NODE_OPTIONS="--expose-gc --import=<this file>") into a server under benchmark. On
// SIGUSR2 it runs full garbage collections and prints the process memory as one line, so the idle
// benchmark reads live heap without garbage in it and without changing the server's code.
process.on('SIGUSR2', () => {
  globalThis.gc();
  globalThis.gc();
  process.stdout.write(`bench-memory ${JSON.stringify(process.memoryUsage())}\n`);
});
