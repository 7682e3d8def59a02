// Per-user and per-address rate limits shared by HTTP and Socket.IO, so a client cannot dodge a
// limit by switching transport.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { SwitchboardError } from '@switchboard/protocol';

export interface RateLimitOptions {
  userPerMinute: number;
  ipPerMinute: number;
  loginPerMinute: number;
}

export class RateLimits {
  private readonly perUser: RateLimiterMemory;
  private readonly perIp: RateLimiterMemory;
  private readonly login: RateLimiterMemory;

  constructor(options: RateLimitOptions) {
    this.perUser = new RateLimiterMemory({ keyPrefix: 'user', points: options.userPerMinute, duration: 60 });
    this.perIp = new RateLimiterMemory({ keyPrefix: 'ip', points: options.ipPerMinute, duration: 60 });
    this.login = new RateLimiterMemory({ keyPrefix: 'login', points: options.loginPerMinute, duration: 60 });
  }

  async consume(ip: string, userId?: string): Promise<void> {
    await take(this.perIp, ip);
    if (userId) await this.consumeUser(userId);
  }

  async consumeUser(userId: string): Promise<void> {
    await take(this.perUser, userId);
  }

  async consumeLogin(ip: string): Promise<void> {
    await take(this.login, ip);
  }
}

async function take(limiter: RateLimiterMemory, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (res) {
    if (!(res instanceof RateLimiterRes)) throw res;
    const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    throw new SwitchboardError('rate_limited', `too many requests: try again in ${retryAfter} s`, {
      retryAfter,
    });
  }
}
