// The unmodified npm faye client, driven by NodeFaye.java: reports what it sees as JSON lines on stdout and
// takes commands as JSON lines on stdin.
import faye from 'faye';
import readline from 'node:readline';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const [url, pattern, ...options] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const client = new faye.Client(url, { timeout: 10, retry: 1 });
if (!options.includes('websocket')) {
  client.disable('websocket');
}
if (options.includes('herald-ext')) {
  // Herald's extension as the server serves it (downloaded by the test), with a file as its store.
  const { default: HeraldFaye } = await import(process.env.HERALD_FAYE_EXT);
  const file = process.env.HERALD_FAYE_STORE;
  client.addExtension(HeraldFaye.extension({
    store: {
      load: () => (existsSync(file) ? readFileSync(file, 'utf8') : null),
      save: (value) => writeFileSync(file, value),
    },
  }));
}
client.on('transport:down', () => out({ kind: 'down' }));
client.on('transport:up', () => out({ kind: 'up' }));
client.addExtension({
  incoming(message, callback) {
    if (message.channel === '/meta/handshake' && message.successful) {
      out({ kind: 'handshake', clientId: message.clientId });
    }
    callback(message);
  },
});
client.subscribe(pattern, (data) => out({ kind: 'message', data }))
  .then(() => out({ kind: 'subscribed' }), (e) => out({ kind: 'subscribeFailed', error: String(e && e.message) }));

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line);
  if (command.publish) {
    client.publish(command.publish, command.data)
      .then(() => out({ kind: 'published', channel: command.publish }), (e) => out({ kind: 'publishFailed', error: String(e && e.message) }));
  }
}).on('close', () => process.exit(0));
