import t from 'tap';
import { humanDuration, humanAgo, humanSize, binarySize, ellipsis, shortId } from './human.js';
import { formatG, goNumber } from './go-value.js';
import { tabwrite, formatMode, renderList } from './table.js';

t.test('durations as docker words them', async (t) => {
  t.equal(humanDuration(500), 'Less than a second');
  t.equal(humanDuration(1000), '1 second');
  t.equal(humanDuration(3000), '3 seconds');
  t.equal(humanDuration(59_999), '59 seconds');
  t.equal(humanDuration(60_000), 'About a minute');
  t.equal(humanDuration(119_000), 'About a minute');
  t.equal(humanDuration(120_000), '2 minutes');
  t.equal(humanDuration(59 * 60_000), '59 minutes');
  t.equal(humanDuration(60 * 60_000), 'About an hour');
  t.equal(humanDuration(3 * 3_600_000), '3 hours');
  t.equal(humanDuration(47 * 3_600_000), '47 hours');
  t.equal(humanDuration(3 * 86_400_000), '3 days');
  t.equal(humanDuration(15 * 86_400_000), '2 weeks');
  t.equal(humanDuration(90 * 86_400_000), '3 months');
  t.equal(humanDuration(800 * 86_400_000), '2 years');
  t.equal(humanAgo(1000, 1_000_000 + 120_000), '2 minutes ago');
});

t.test('sizes as docker prints them', async (t) => {
  t.equal(humanSize(0), '0B');
  t.equal(humanSize(999), '999B');
  t.equal(humanSize(4_261_000), '4.26MB');
  t.equal(humanSize(1_000_000), '1MB');
  t.equal(humanSize(12_345), '12.3kB');
  t.equal(humanSize(1_500_000_000), '1.5GB');
  t.equal(binarySize(1024 * 1024 * 1.5), '1.5MiB');
  t.equal(binarySize(2 * 1024 ** 3 - 60 * 1024 ** 2), '1.941GiB');
  t.equal(binarySize(512), '512B');
  t.equal(formatG(999.5, 3), '1e+03');
  t.equal(formatG(0.000012345, 3), '1.23e-05');
  t.equal(goNumber(1.5), '1.5');
  t.equal(goNumber(1e21), '1e+21');
});

t.test('ids and ellipsis', async (t) => {
  t.equal(shortId('sha256:0123456789abcdef0123'), '0123456789ab');
  t.equal(shortId('0123456789abcdef0123'), '0123456789ab');
  t.equal(ellipsis('sh -c echo hello world', 20), 'sh -c echo hello wo…');
  t.equal(ellipsis('short', 20), 'short');
});

t.test('tables align like tabwriter(10, 1, 3)', async (t) => {
  t.equal(tabwrite('CONTAINER ID\tIMAGE\tNAMES\nabc\tbusybox:latest\tweb'),
    'CONTAINER ID   IMAGE            NAMES\n' +
    'abc            busybox:latest   web');
  t.same(formatMode(undefined, 'D'), { kind: 'table', template: 'D' });
  t.same(formatMode('table', 'D'), { kind: 'table', template: 'D' });
  t.same(formatMode('json', 'D'), { kind: 'json' });
  t.same(formatMode('table {{.ID}}', 'D'), { kind: 'table', template: '{{.ID}}' });
  t.same(formatMode('{{.ID}}', 'D'), { kind: 'raw', template: '{{.ID}}' });
  const items = [{ ID: 'a1', Image: 'busybox' }, { ID: 'b2', Image: 'alpine:3' }];
  const headers = { ID: 'CONTAINER ID', Image: 'IMAGE' };
  t.equal(renderList(formatMode('table {{.ID}}\\t{{.Image}}', ''), items, headers),
    'CONTAINER ID   IMAGE\na1             busybox\nb2             alpine:3\n');
  t.equal(renderList(formatMode('{{.ID}}:{{.Image}}', ''), items, headers), 'a1:busybox\nb2:alpine:3\n');
  t.equal(renderList(formatMode('json', ''), items, headers), '{"ID":"a1","Image":"busybox"}\n{"ID":"b2","Image":"alpine:3"}\n');
  t.equal(renderList(formatMode('table {{.Other}}', ''), [{ Other: 'x' }], headers), 'OTHER\nx\n');
  t.equal(renderList(formatMode('table {{.ID}}\t{{.Label "tier"}}', ''), [{ ID: 'a1', Label: () => 'web' }], headers), 'CONTAINER ID   LABEL\na1             web\n');
});
