// Drives the real npm `eventsource` package against a Herald SSE URL and prints one JSON line per thing
// that happens (open, message, missedevents, lastEventId, error), so a Java test can read what a real
// client saw. Reconnection is the package's own: nothing here reconnects by hand.
import { EventSource } from 'eventsource';

const url = process.argv[2];
const source = new EventSource(url);
const print = (kind, event) => process.stdout.write(JSON.stringify({
  kind,
  id: event && event.lastEventId !== undefined ? event.lastEventId : null,
  data: event && event.data !== undefined ? event.data : null,
}) + '\n');

source.onopen = () => print('open');
source.onmessage = (event) => print('message', event);
source.addEventListener('missedevents', (event) => print('missedevents', event));
source.addEventListener('lastEventId', (event) => print('lastEventId', event));
source.onerror = (error) => print('error', { data: String(error && error.message) });
process.stdin.on('end', () => { source.close(); process.exit(0); });
process.stdin.resume();
