// The baseline every realtime benchmark runs beside: a plain Socket.IO server with no persistence,
// no auth, no validation and no rate limits. It speaks just enough of our event names and payload
// shapes that the same benchmark clients drive both servers, so the difference between the two is
// what Switchboard adds (storage, auth, validation, limits, metrics), not the wire format.
//
// Run: node --import tsx bench/baseline-broadcast.ts [--port N]   (prints "... listening on URL")
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Server } from 'socket.io';
import { newId } from '@switchboard/protocol';
import { stored } from '../tests/support/fixtures.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });

const http = createServer();
const io = new Server(http, {
  transports: ['polling', 'websocket'],
  serveClient: false,
  maxHttpBufferSize: 64 * 1024,
});
const seqs = new Map<string, number>();

io.on('connection', (socket) => {
  // Clients wait for hello before they count as connected, as with Switchboard.
  socket.emit('hello', { protocolVersion: 1 });

  // No membership store: a client names the rooms it wants.
  socket.on('channel.join', (req: { channelId: string }, ack: (r: unknown) => void) => {
    void socket.join(req.channelId);
    ack({ ok: true, data: { id: req.channelId } });
  });

  socket.on(
    'message.send',
    (req: { channelId: string; clientId: string; text: string }, ack: (r: unknown) => void) => {
      const seq = (seqs.get(req.channelId) ?? 0) + 1;
      seqs.set(req.channelId, seq);
      const ts = Date.now();
      const message = stored({
        id: newId(),
        channelId: req.channelId,
        seq,
        changeSeq: seq,
        authorId: socket.id,
        clientId: req.clientId,
        text: req.text,
        ts,
      });
      io.to(req.channelId).emit('stream.event', { channelId: req.channelId, seq, kind: 'created', message });
      ack({ ok: true, data: { id: message.id, seq, ts, duplicate: false, message } });
    },
  );
});

http.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  console.log(`Baseline broadcast server listening on http://127.0.0.1:${port}`);
});

process.on('SIGTERM', () => {
  io.close(() => process.exit(0));
});
