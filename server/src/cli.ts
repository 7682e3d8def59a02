#!/usr/bin/env node
// `switchboard-server`: start the server (default) or manage users, tokens, invites and config.
import { runCli } from './cli/program.ts';

process.exitCode = await runCli(process.argv);
