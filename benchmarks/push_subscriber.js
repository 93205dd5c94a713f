// The push subscriber of benchmarks/maildev_compare.py, one runtime for both servers (Node):
//   node push_subscriber.js mercure HUB_URL TOPIC TOKEN   -- Temp Inbox's hub (Server-Sent Events)
//   node push_subscriber.js maildev WEB_URL               -- MailDev's own web socket (socket.io 'newMail')
// Prints "ready" once subscribed, then "<CLOCK_MONOTONIC ns>\t<subject>" the moment each new-mail event
// is parsed (process.hrtime is CLOCK_MONOTONIC on Linux, as Python's time.monotonic_ns).
'use strict';
const http = require('http');

const [kind, url, topic, token] = process.argv.slice(2);
const stamp = (subject) => process.stdout.write(`${process.hrtime.bigint()}\t${subject}\n`);

if (kind === 'mercure') {
  const target = new URL(url);
  target.searchParams.append('topic', topic);
  const request = http.get(target, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
    agent: new http.Agent({ keepAlive: true, noDelay: true }),
  }, (response) => {
    response.setEncoding('utf8');
    process.stdout.write('ready\n');
    let buffer = '';
    response.on('data', (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
        if (!data) continue;
        try {
          const event = JSON.parse(data);
          if (event && typeof event.subject === 'string') stamp(event.subject);
        } catch (e) { /* not a message event */ }
      }
    });
  });
  request.on('error', (e) => { console.error(e); process.exit(1); });
} else if (kind === 'maildev') {
  const { io } = require('socket.io-client');
  const socket = io(url, { transports: ['websocket'] });
  socket.on('connect', () => process.stdout.write('ready\n'));
  socket.on('newMail', (mail) => stamp(mail && mail.subject));
  socket.on('connect_error', (e) => { console.error(e); process.exit(1); });
} else {
  console.error('usage: push_subscriber.js mercure HUB TOPIC TOKEN | maildev WEB_URL');
  process.exit(2);
}
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
