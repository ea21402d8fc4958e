/** The request header naming a session (`x-faultline-session: <id>`); removed before forwarding. */
export const SESSION_HEADER = 'x-faultline-session';
