// ws-echo.mjs URL: open a WebSocket, send "hi", print the answer (exit 1 on error or after 5 s).
import { WebSocket } from 'ws';

const ws = new WebSocket(process.argv[2]);
const timer = setTimeout(() => {
  console.error('ws-echo: no answer within 5 s');
  process.exit(1);
}, 5000);
ws.on('open', () => ws.send('hi'));
ws.on('message', (m) => {
  console.log(String(m));
  clearTimeout(timer);
  ws.close();
});
ws.on('error', (e) => {
  console.error(`ws-echo: ${e.message}`);
  process.exit(1);
});
