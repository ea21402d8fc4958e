import type { Overrun, QuotaMeter } from '../proxy/context.js';
import type { QuotaSpec } from '../scenario/types.js';
import { asError } from '../errors.js';

/** Commit (`counted`) or release a reservation; `stored`: the upstream answered 2xx. */
export type Settle = (counted: boolean, stored: boolean) => Promise<void>;

/**
 * The quota stage's private state for one forwarded request: settles its reservation exactly once,
 * when the upstream's answer arrives (2xx, or any with countOn: always, commits) or, failing that,
 * when the exchange ends (countOn: always counts it unless it was abandoned at the limit).
 */
export class QuotaMeterOf implements QuotaMeter {
  readonly admit: ((bytes: number) => Promise<Overrun | null>) | null;
  private readonly quota: QuotaSpec;
  private readonly settleWith: Settle;
  private readonly onError: (err: Error) => void;
  private settled = false;

  constructor(
    quota: QuotaSpec,
    admit: ((bytes: number) => Promise<Overrun | null>) | null,
    settle: Settle,
    onError: (err: Error) => void,
  ) {
    this.quota = quota;
    this.admit = admit;
    this.settleWith = settle;
    this.onError = onError;
  }

  head(status: number): void {
    const stored = status >= 200 && status < 300;
    this.once(this.quota.countOn === 'always' || stored, stored);
  }

  end(overrun: boolean): void {
    this.once(this.quota.countOn === 'always' && !overrun, false);
  }

  private once(counted: boolean, stored: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.settleWith(counted, stored).catch((err: unknown) => this.onError(asError(err)));
  }
}
