// The host-side upstream of container-smoke.sh: faultline's demo upstream (from dist/), plus a
// WebSocket echo on every upgrade, so the smoke test can also send a WebSocket through the image.
// Prints `listening on PORT` once bound; SIGTERM stops it.
import { WebSocketServer } from 'ws';
import { createDemoUpstream } from '../../dist/demo/upstream.js';

const server = createDemoUpstream();
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m) => ws.send(`echo:${m}`)));
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
process.on('SIGTERM', () => {
  for (const c of wss.clients) c.terminate();
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
