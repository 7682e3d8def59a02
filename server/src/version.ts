// Replaced at build time with the package version; the fallback is for running from source.
declare const __SWITCHBOARD_VERSION__: string | undefined;
export const SERVER_VERSION: string =
  typeof __SWITCHBOARD_VERSION__ === 'string' ? __SWITCHBOARD_VERSION__ : '0.0.0-dev';
