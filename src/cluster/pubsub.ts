import { Redis } from 'ioredis';
import { asError } from '../errors.js';

/** A command connection and a subscriber on one channel: what every shared-state sync needs. */
export interface PubSub {
  readonly redis: Redis;
  readonly sub: Redis;
}

/**
 * Connect to Redis for state shared between replicas. Commands fail fast while Redis is down (no
 * offline queue, no retries: a caller decides what a failure means); the subscriber queues its
 * SUBSCRIBE until connected (it carries no request traffic). Every (re)connect of either
 * connection calls `onReady`, so a message missed while away is caught up by reading the state.
 */
export function connectPubSub(
  url: string,
  channel: string,
  handlers: { onReady: () => void; onMessage: (message: string) => void; onError: (err: Error) => void },
): PubSub {
  const common = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: (n: number) => Math.min(100 * n, 1_000),
  };
  const redis = new Redis(url, common);
  const sub = new Redis(url, { ...common, enableOfflineQueue: true });
  // Connection errors surface as failed commands (and the store_up gauge); no unhandled 'error'.
  redis.on('error', () => {});
  sub.on('error', () => {});
  redis.on('ready', handlers.onReady);
  sub.on('ready', handlers.onReady);
  sub.on('message', (_channel: string, message: string) => handlers.onMessage(message));
  void sub.subscribe(channel).catch((err: unknown) => handlers.onError(asError(err)));
  return { redis, sub };
}
