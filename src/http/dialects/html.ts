import { reasonPhrase } from '../problem.js';
import { type DialectInput, type FormatBuilder, xml } from './types.js';

/*
 * nginx's built-in error page (src/http/ngx_http_special_response.c, 1.17.x and later): CRLF line
 * ends, the status line as title and heading, and a footer naming the server.
 */
function page(input: DialectInput, server: string): string {
  const title = xml(`${input.status} ${input.message ?? reasonPhrase(input.status)}`);
  return (
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n` +
    `<hr><center>${server}</center>\r\n</body>\r\n</html>\r\n`
  );
}

/** The page with faultline's footer. */
export const html: FormatBuilder = (input: DialectInput) => ({
  contentType: 'text/html',
  headers: [],
  body: page(input, 'faultline'),
});

/** The page exactly as nginx with `server_tokens off` sends it, with its `Server` header. */
export const nginxHtml: FormatBuilder = (input: DialectInput) => ({
  contentType: 'text/html',
  headers: [['server', 'nginx']],
  body: page(input, 'nginx'),
});
