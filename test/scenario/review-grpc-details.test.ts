import { describe, expect, it } from 'vitest';
import { ScenarioError, formatProblem } from '../../src/errors.js';
import { compileRuleSetFromText } from '../../src/scenario/load.js';

/*
 * `grpc-status-details-bin` is a serialized google.rpc.Status whose code is the call's status: a
 * gRPC server builds both from one Status, and clients rely on it (grpc-java's StatusProto refuses
 * a mismatch, grpc-go takes the code from the details). A scenario whose details are not such a
 * Status, or name another code, describes a failure no server produces: a clear error at its
 * file:line:column, as for any bad input.
 */

function problems(yaml: string): string[] {
  try {
    compileRuleSetFromText(yaml, 'g.yaml');
  } catch (err) {
    if (err instanceof ScenarioError) return err.problems.map(formatProblem);
    throw err;
  }
  return [];
}

/** base64 of google.rpc.Status { code, message }. */
function status(code: number, message: string): string {
  const text = Buffer.from(message);
  return Buffer.from([0x08, code, 0x12, text.length, ...text]).toString('base64');
}

const rule = (fault: string): string => `version: 1\nrules:\n  - name: r\n    fault: ${fault}\n`;

describe('grpc-status-details-bin in a scenario', () => {
  it('accepts a google.rpc.Status with the same code (padded or not), and OK details for OK', () => {
    expect(problems(rule(`{ grpc: { status: RESOURCE_EXHAUSTED, details: "${status(8, 'quota')}" } }`))).toEqual([]);
    expect(problems(rule(`{ grpc: { status: 14, details: "${status(14, 'down').replace(/=+$/, '')}" } }`))).toEqual([]);
    expect(problems(rule(`{ replaceStatus: { grpc: UNAVAILABLE, details: "${status(14, 'x')}" } }`))).toEqual([]);
  });

  it('refuses details that name another code, at the details value', () => {
    expect(problems(rule(`{ grpc: { status: UNAVAILABLE, details: "${status(8, 'quota')}" } }`))).toEqual([
      `g.yaml:4:52: rules[0].fault.grpc.details: the google.rpc.Status in details has code 8 (RESOURCE_EXHAUSTED), but the status is 14 (UNAVAILABLE): a gRPC server sends one code in both`,
    ]);
    expect(problems(rule(`{ replaceStatus: { grpc: INTERNAL, details: "${status(8, 'quota')}" } }`))).toHaveLength(1);
  });

  it('refuses base64 that is not a google.rpc.Status', () => {
    // "hello world" is no protobuf message: field 13 with wire type 0, then a varint cut short...
    const [problem] = problems(
      rule(`{ grpc: { status: INTERNAL, details: "${Buffer.from('\xff\xff\xff').toString('base64')}" } }`),
    );
    expect(problem).toMatch(
      /^g\.yaml:4:\d+: rules\[0\]\.fault\.grpc\.details: must be a base64 string \(an encoded google\.rpc\.Status\)/,
    );
  });
});
