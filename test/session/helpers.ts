import { api } from '../admin/api.js';
import type { SessionCreated } from '../../src/client/wire.js';

/** Create a session through the admin API; fails the test with the problem when it is refused. */
export async function createSession(admin: string, body: unknown): Promise<SessionCreated> {
  const reply = await api(admin, 'POST', '/sessions', { body: JSON.stringify(body) });
  if (reply.status !== 201) throw new Error(`POST /sessions answered ${reply.status}: ${reply.text}`);
  return reply.json as unknown as SessionCreated;
}
