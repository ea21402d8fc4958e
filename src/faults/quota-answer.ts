import type { StatusAnswer } from '../scenario/types.js';
import { PROBLEM } from './header-fault.js';
import type { Instead, Why } from './plan.js';

/** What a quota answers when its rule's fault has no status of its own: 507, like a full disk. */
const QUOTA_STATUS: StatusAnswer = { status: 507, body: null, dialect: PROBLEM, headers: [], retryAfter: null };

/** The answer to a quota overrun for a fault that shapes a response (delay, throttle, truncate). */
export function quotaOverrunAnswer(why: Why): Instead {
  return { step: 'answer', answer: { spec: QUOTA_STATUS, why } };
}
