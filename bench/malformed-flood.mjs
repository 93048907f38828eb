// Child process of slow-consumer.bench.mjs: sends 10,000 malformed frames to a hub, so the bench
// process that times another client is not the one busy sending. Args: url where [token].
import WebSocket from 'ws';

const [url, where, token] = process.argv.slice(2);
const GARBAGE = ['{"jsonrpc":"2.0","id":1,"method":', '"just a string"', '[]', 'x'.repeat(100), '{"id":{}}'];

async function open() {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return socket;
}

if (where === 'pre-hello') {
  // 200 strangers × 50 frames, 10 at a time: each is closed at its first bad frame.
  const frames = Array.from({ length: 50 }, (_, i) => GARBAGE[i % GARBAGE.length]);
  const stranger = async () => {
    const socket = await open();
    const done = new Promise((r) => socket.once('close', r));
    for (const f of frames) socket.send(f);
    await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
    socket.terminate();
  };
  for (let wave = 0; wave < 20; wave++) await Promise.all(Array.from({ length: 10 }, stranger));
} else {
  const hello =
    where === 'agent link'
      ? { protocol: 1, role: 'agent', token, agent: { id: 'bad', version: '0' }, accounts: [process.argv[5] ?? 'bad'] }
      : { protocol: 1, role: 'client', token };
  const socket = await open();
  let answered = 0;
  socket.on('message', () => answered++);
  socket.send(JSON.stringify({ jsonrpc: '2.0', id: 'h', method: 'hello', params: hello }));
  // Frames sent before the hello is answered would be frames before hello: wait for it.
  while (answered < 1) await new Promise((r) => setTimeout(r, 5));
  for (let i = 0; i < 10_000; i++) socket.send(GARBAGE[i % GARBAGE.length]);
  const deadline = Date.now() + 60_000;
  while (answered < 10_001) {
    if (Date.now() > deadline || socket.readyState !== WebSocket.OPEN) throw new Error(`only ${answered - 1} of 10,000 answered`);
    await new Promise((r) => setTimeout(r, 10));
  }
  socket.terminate();
}
