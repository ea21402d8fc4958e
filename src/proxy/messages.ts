import { IncomingMessage, ServerResponse } from 'node:http';
import type { Exchange } from './exchange.js';

/*
 * The server's request/response classes carry their exchange, so the per-request listeners can be
 * module-level functions reading `this.exchange` instead of closures allocated for every request.
 */
export class ProxyRequest extends IncomingMessage {
  exchange: Exchange | null = null;
}

export class ProxyResponse extends ServerResponse<ProxyRequest> {
  exchange: Exchange | null = null;
}
