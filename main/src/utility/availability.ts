// Turns the machine's power and network events into what the session core understands: while the
// computer sleeps (or the network is down) its connection is closed cleanly; on wake, unlock or the
// network coming back it reconnects at once instead of waiting out a backoff, and catches up.
// Nothing here marks the user active or anything read: that stays with what is on screen.

export interface AvailabilityTarget {
  setNetworkAvailable(available: boolean): void;
  /** Skips a pending reconnect wait and retries a failed catch-up. */
  reconnectNow(): void;
}

export class Availability {
  private asleep = false;
  private online = true;

  constructor(private readonly core: AvailabilityTarget) {}

  power(event: 'suspend' | 'resume' | 'unlock-screen'): void {
    this.asleep = event === 'suspend';
    this.apply();
  }

  network(online: boolean): void {
    this.online = online;
    this.apply();
  }

  private apply(): void {
    const available = this.online && !this.asleep;
    this.core.setNetworkAvailable(available);
    if (available) this.core.reconnectNow();
  }
}
