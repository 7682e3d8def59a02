// What global setup hands to the tests (through one environment variable) and the people it creates.

// Not SWITCHBOARD_*: the server refuses environment variables it does not know.
export const E2E_ENV = 'E2E_SWITCHBOARD_SERVER';

export interface E2eEnv {
  url: string;
  dataDir: string;
}

/** The first is the admin; all are created before any test runs. */
export const PEOPLE = ['admin', 'alice', 'bob', 'carol', 'dana'] as const;

export const passwordOf = (username: string): string => `${username}-e2e-password`;

/** Every test signs in several times from 127.0.0.1: keep the limits out of the way. */
export const E2E_LIMIT_FLAGS = [
  '--rate-limit-login',
  '100000',
  '--rate-limit-user',
  '1000000',
  '--rate-limit-ip',
  '1000000',
];

export function e2eEnv(): E2eEnv {
  const raw = process.env[E2E_ENV];
  if (!raw)
    throw new Error(`${E2E_ENV} is not set: run these tests through playwright.config.ts (its global setup)`);
  return JSON.parse(raw) as E2eEnv;
}
