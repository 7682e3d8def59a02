// Per-user and per-address rate limits shared by HTTP and Socket.IO, so a client cannot dodge a
// limit by switching transport; and the limits on guessing passwords.
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { SwitchboardError } from '@switchboard/protocol';

export interface RateLimitOptions {
  userPerMinute: number;
  ipPerMinute: number;
  /** Password checks per (address, account) per minute; also sign-ups and setup attempts per address. */
  loginPerMinute: number;
  /** Failed password checks per account per hour, from any address. */
  loginFailuresPerAccountPerHour: number;
}

/** Makes one limiter: in this node's memory, or shared by every node (cluster/cluster.ts). */
export type LimiterFactory = (options: {
  keyPrefix: string;
  points: number;
  duration: number;
}) => RateLimiterAbstract;

const inMemory: LimiterFactory = (options) => new RateLimiterMemory(options);

export class RateLimits {
  private readonly perUser: RateLimiterAbstract;
  private readonly perIp: RateLimiterAbstract;
  private readonly signUp: RateLimiterAbstract;
  private readonly passwordChecks: RateLimiterAbstract;
  private readonly accountFailures: RateLimiterAbstract;

  constructor(options: RateLimitOptions, limiter: LimiterFactory = inMemory) {
    this.perUser = limiter({ keyPrefix: 'user', points: options.userPerMinute, duration: 60 });
    this.perIp = limiter({ keyPrefix: 'ip', points: options.ipPerMinute, duration: 60 });
    this.signUp = limiter({ keyPrefix: 'signup', points: options.loginPerMinute, duration: 60 });
    this.passwordChecks = limiter({ keyPrefix: 'password', points: options.loginPerMinute, duration: 60 });
    this.accountFailures = limiter({
      keyPrefix: 'failures',
      points: options.loginFailuresPerAccountPerHour,
      duration: 3600,
    });
  }

  async consume(ip: string, userId?: string): Promise<void> {
    await take(this.perIp, ip);
    if (userId) await this.consumeUser(userId);
  }

  async consumeUser(userId: string): Promise<void> {
    await take(this.perUser, userId);
  }

  /** Creating an account or the first admin, per address. */
  async consumeSignUp(ip: string): Promise<void> {
    await take(this.signUp, ip);
  }

  /**
   * Runs `check` — anything that verifies `account`'s password — under the limits on guessing:
   * checks per address and account (one guesser behind a shared address does not lock everyone
   * else out), failed checks per account from any address (many addresses cannot guess one account
   * freely), and the address's general budget. An account over its failure limit is refused even
   * with the right password, so a guesser learns nothing from the answer.
   */
  async passwordCheck<T>(ip: string, account: string, check: () => Promise<T>): Promise<T> {
    await take(this.perIp, ip);
    // Neither an address nor a username holds a space.
    await take(this.passwordChecks, `${ip} ${account}`);
    const failures = await this.accountFailures.get(account);
    if (failures && failures.remainingPoints <= 0) throw limited(failures.msBeforeNext);
    try {
      return await check();
    } catch (err) {
      if (err instanceof SwitchboardError && err.code === 'unauthorized')
        await this.accountFailures.penalty(account);
      throw err;
    }
  }
}

async function take(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (res) {
    if (!(res instanceof RateLimiterRes)) throw res;
    throw limited(res.msBeforeNext);
  }
}

function limited(msBeforeNext: number): SwitchboardError {
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new SwitchboardError('rate_limited', `too many requests: try again in ${retryAfter} s`, {
    retryAfter,
  });
}
