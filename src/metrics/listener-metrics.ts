import type { Registry } from 'prom-client';
import type { ListenerEvents, RefusalReason } from '../proxy/listener.js';
import { CellCounter, type Cell } from './cells.js';

const REASONS: readonly RefusalReason[] = [
  'max_connections',
  'headers_timeout',
  'header_too_large',
  'uri_too_long',
  'bad_request',
];

/** `faultline_connections_refused_total{reason}`: client connections the proxy listener cut. */
export function registerListenerMetrics(registry: Registry): ListenerEvents {
  const counter = new CellCounter(
    registry,
    'faultline_connections_refused_total',
    'Client connections the proxy listener closed by a limit or for a malformed request, by reason.',
    ['reason'],
  );
  const cells = {} as Record<RefusalReason, Cell>;
  for (const reason of REASONS) cells[reason] = counter.cell({ reason });
  return {
    connectionRefused(reason) {
      cells[reason].value++;
    },
  };
}
