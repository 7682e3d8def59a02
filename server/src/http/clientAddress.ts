// Which address a request comes from, honouring --trust-proxy the same way for HTTP (Fastify) and
// Socket.IO, so a per-address rate limit means the same thing on both transports.
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/** false: use the socket address; true: trust every hop; n: trust n hops; list: trust these proxies. */
export type TrustProxy = boolean | number | string[];
export type TrustFunction = (address: string, hop: number) => boolean;

/** The trust rule in the form both Fastify's `trustProxy` and proxy-addr accept. */
export function proxyTrust(trust: TrustProxy): TrustFunction | false {
  if (trust === false) return false;
  if (trust === true) return () => true;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyAddr.compile(trust);
}

export function clientAddressResolver(trust: TrustProxy): (request: IncomingMessage) => string {
  const trusts = proxyTrust(trust);
  if (trusts === false) return (request) => request.socket.remoteAddress ?? 'unknown';
  return (request) => proxyAddr(request, trusts);
}
