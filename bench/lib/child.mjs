// Shared by the processes the harness starts (upstream, floor, alternative forwarders): listen on
// 127.0.0.1 (port 0 unless given), announce the port as one JSON line on stdout, exit on
// SIGTERM/SIGINT, and exit by themselves if the harness dies (the parent pid changes).

/** `--name value` flags of a child script, as a plain object of strings. */
export function childArgs(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

/** Listen, print `{"port":N}` once listening, and arrange the exits described above. */
export function serve(server, port = 0) {
  server.listen(Number(port), '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ port: server.address().port, pid: process.pid }) + '\n');
  });
  const bye = () => process.exit(0); // process.exit also writes a --cpu-prof profile
  process.on('SIGTERM', bye);
  process.on('SIGINT', bye);
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 1000).unref();
}
