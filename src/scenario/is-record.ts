/** A plain mapping (not null, not an array). Kept apart from the schema so compiling needs no zod. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
