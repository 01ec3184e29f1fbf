import t from 'tap';
import { JsonMessageRenderer, progressString } from './json-message.js';

const msgs = [
  { status: 'Pulling from library/busybox', id: 'latest' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'l1' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'l2' },
  { status: 'Downloading', progressDetail: { current: 1000, total: 2000 }, progress: '[=>] 1kB/2kB', id: 'l1' },
  { status: 'Download complete', progressDetail: {}, id: 'l2' },
  { status: 'Pull complete', progressDetail: {}, id: 'l1' },
  { status: 'Digest: sha256:abc' },
  { status: 'Status: Downloaded newer image for busybox:latest' },
];

t.test('not a terminal: one line per message, progress bars dropped', async (t) => {
  const r = new JsonMessageRenderer({ tty: false });
  t.equal(msgs.map((m) => r.render(m)).join(''), [
    'latest: Pulling from library/busybox',
    'l1: Pulling fs layer',
    'l2: Pulling fs layer',
    'l2: Download complete',
    'l1: Pull complete',
    'Digest: sha256:abc',
    'Status: Downloaded newer image for busybox:latest',
    '',
  ].join('\n'));
});

t.test('a terminal: each layer keeps its line, rewritten in place', async (t) => {
  const r = new JsonMessageRenderer({ tty: true, width: 80 });
  const out = msgs.map((m) => r.render(m));
  t.equal(out[0], 'latest: Pulling from library/busybox\n');
  t.equal(out[1], '\n\u001b[1A\u001b[2K\rl1: Pulling fs layer \r\u001b[1B', 'a new layer line, written in place');
  t.equal(out[2], '\n\u001b[1A\u001b[2K\rl2: Pulling fs layer \r\u001b[1B');
  t.equal(out[3], '\u001b[2A\u001b[2K\rl1: Downloading      1kB/2kB\r\u001b[2B', 'up two lines to l1, then back');
  t.equal(out[4], '\u001b[1A\u001b[2K\rl2: Download complete \r\u001b[1B');
  t.equal(out[6], 'Digest: sha256:abc\n', 'a message without id clears the layer lines');
});

t.test('progress text', async (t) => {
  t.equal(progressString({ current: 1000, total: 2000 }, 80), '     1kB/2kB');
  t.equal(progressString({ current: 1000, total: 2000 }, 120), `[${'='.repeat(25)}>${' '.repeat(25)}]      1kB/2kB`);
  t.equal(progressString({ current: 3000, total: 2000 }, 80), '     3kB');
  t.equal(progressString({ current: 1234 }, 80), ' 1.234kB');
  t.equal(progressString({}, 80), '');
  t.equal(progressString({ current: 2, total: 5, units: 'layers' }, 80), '2/5 layers');
});
