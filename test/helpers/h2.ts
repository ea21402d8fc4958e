import { execFile } from 'node:child_process';
import http2 from 'node:http2';

/*
 * HTTP/2 clients for tests: Node's http2 client (which shows the frames: RST_STREAM codes,
 * END_STREAM, GOAWAY) and curl (what a common client reports, by its exit code).
 */

export interface StreamResult {
  status: number | null;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  /** The RST_STREAM code the stream ended with (0: a clean END_STREAM). */
  rstCode: number;
  /** END_STREAM was received. */
  ended: boolean;
  /** Milliseconds from sending the request to the stream's close. */
  ms: number;
}

/** An HTTP/2 session to 127.0.0.1:port: h2 over TLS (any certificate), or h2c with prior knowledge. */
export function h2Connect(port: number, tls: boolean, settings?: http2.Settings): http2.ClientHttp2Session {
  const options = settings === undefined ? {} : { settings };
  const session = tls
    ? http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false, ...options })
    : http2.connect(`http://127.0.0.1:${port}`, options);
  session.on('error', () => undefined);
  return session;
}

export interface SendOptions {
  method?: string;
  headers?: http2.OutgoingHttpHeaders;
  body?: Buffer;
  /** Called with the stream once it is made (to pause it, say). */
  onStream?: (stream: http2.ClientHttp2Stream) => void;
  /** Writes the request body and ends the stream itself (instead of `body`). */
  write?: (stream: http2.ClientHttp2Stream) => void;
}

/** One request on the session, read to the stream's close (however it closes). */
export function h2Send(session: http2.ClientHttp2Session, path: string, options: SendOptions = {}): Promise<StreamResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const stream = session.request({ ':path': path, ':method': options.method ?? 'GET', ...options.headers });
    const result: StreamResult = { status: null, headers: {}, body: Buffer.alloc(0), rstCode: 0, ended: false, ms: 0 };
    const chunks: Buffer[] = [];
    stream.on('response', (headers) => {
      result.status = Number(headers[':status']);
      result.headers = headers;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => (result.ended = true));
    stream.on('error', () => undefined);
    stream.on('close', () => {
      result.body = Buffer.concat(chunks);
      result.rstCode = stream.rstCode ?? 0;
      result.ms = performance.now() - started;
      resolve(result);
    });
    options.onStream?.(stream);
    if (options.write === undefined) stream.end(options.body);
    else options.write(stream);
  });
}

export interface CurlResult {
  code: number;
  out: string;
  err: string;
}

/** curl over HTTP/2 to the proxy (`-k --http2` over TLS, `--http2-prior-knowledge` without); body to /dev/null. */
export function curlH2(port: number, tls: boolean, path: string, args: string[] = []): Promise<CurlResult> {
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}${path}`;
  const h2 = tls ? ['-k', '--http2'] : ['--http2-prior-knowledge'];
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '-o', '/dev/null', ...h2, ...args, url], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, out: stdout, err: stderr });
    });
  });
}
