/** The upstream's small answer: the harness checks proxied bodies against it byte for byte. */
export const SMALL = Buffer.from('{"ok":true,"from":"faultline-bench-upstream","n":1}\n');
/** One 64 KiB chunk: the /64k answer, and the unit of streamed bodies. */
export const CHUNK = Buffer.alloc(64 * 1024, 'x');
