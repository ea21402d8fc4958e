import type { FaultAction } from '../scenario/types.js';
import type { FaultKind } from './fault.js';
import { planBefore } from './plan.js';

type GrpcAction = Extract<FaultAction, { kind: 'grpc' }>;

/**
 * `grpc: { status: RESOURCE_EXHAUSTED, message: "quota exceeded" }` — answer at once as a gRPC
 * server failing the call does (HTTP 200, Trailers-Only, `grpc-status`, `grpc-message`); the
 * upstream never sees the request.
 */
export const grpcFault: FaultKind<GrpcAction> = {
  kind: 'grpc',
  plan: (action, why) => planBefore({ step: 'answer', answer: { spec: action, why } }),
  overrun: (action, why) => ({ step: 'answer', answer: { spec: action, why } }),
};
