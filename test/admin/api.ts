import { request, type Reply } from '../helpers/http.js';

/** One admin API call; `json` is the parsed body (null when it is not JSON). */
export async function api(
  admin: string,
  method: string,
  path: string,
  options: { token?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Reply & { json: Record<string, unknown> | null }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const reply = await request(admin + path, { method, headers, ...(options.body === undefined ? {} : { body: options.body }) });
  let json: Record<string, unknown> | null;
  try {
    json = JSON.parse(reply.text) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { ...reply, json };
}

/** The rule scenario most admin tests use: one 507 rule, one disabled reset rule. */
export const ADMIN_SCENARIO = `version: 1
rules:
  - name: full-disk
    match: { method: PUT, path: /upload/** }
    fault: { status: 507 }
  - name: teapot
    enabled: false
    match: { path: /status/200 }
    when: { probability: 50% }
    fault: { status: 418 }
`;
