/**
 * The HTTP/2 error codes of RFC 9113 §7, by value (0x0-0xd): what a RST_STREAM or GOAWAY frame
 * carries. Scenarios name them (`reset: { code: CANCEL }`) or give the number.
 */
export const H2_ERROR_CODE_NAMES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
] as const;

/** The code a reset, a cut or a GOAWAY carries unless the scenario names another. */
export const H2_INTERNAL_ERROR = 2;

/** The code's value for a name (any case) or a number 0-13; null for anything else. */
export function h2ErrorCode(value: unknown): number | null {
  if (typeof value === 'number')
    return Number.isInteger(value) && value >= 0 && value < H2_ERROR_CODE_NAMES.length ? value : null;
  if (typeof value !== 'string') return null;
  const index = (H2_ERROR_CODE_NAMES as readonly string[]).indexOf(value.toUpperCase());
  return index === -1 ? null : index;
}
