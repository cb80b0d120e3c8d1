// Waking a session muted by a quota throttle (KIP-219): the session stops reading its client
// until the policy's `throttledUntil`, and this timer resumes it then. Backpressure muting needs
// no timer (the client's reads end it); a throttle ends with time alone.

export class ThrottleWake {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private deadline = 0;

  /** Calls `wake` once `until` has passed by `clock` (re-armed if the timer fires a little early). */
  arm(until: number, clock: () => number, wake: () => void): void {
    if (this.timer !== undefined && this.deadline >= until) return;
    this.cancel();
    this.deadline = until;
    const fire = () => {
      const left = this.deadline - clock();
      if (left > 0) {
        this.timer = setTimeout(fire, left);
        return;
      }
      this.timer = undefined;
      wake();
    };
    this.timer = setTimeout(fire, Math.max(0, until - clock()));
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
