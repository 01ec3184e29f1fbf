import t from 'tap';
import { cidrsOverlap, pickSubnet, DEFAULT_LOCAL_POOLS } from './pools.js';
import { parseCidr, type Cidr } from './ipv4.js';

const c = (s: string): Cidr => {
  const r = parseCidr(s);
  if (r === null) throw new Error(s);
  return r;
};

t.test('overlap', async (t) => {
  t.ok(cidrsOverlap(c('10.0.0.0/8'), c('10.1.2.0/24')));
  t.ok(cidrsOverlap(c('10.1.2.0/24'), c('10.0.0.0/8')));
  t.notOk(cidrsOverlap(c('10.1.2.0/24'), c('10.1.3.0/24')));
  t.ok(cidrsOverlap(c('0.0.0.0/0'), c('192.0.2.0/24')), 'a default route overlaps everything');
});

t.test('the first free subnet of the pools', async (t) => {
  t.equal(pickSubnet(DEFAULT_LOCAL_POOLS, []), '172.17.0.0/16');
  t.equal(pickSubnet(DEFAULT_LOCAL_POOLS, [c('172.17.0.1/16'), c('172.18.5.0/24')]), '172.19.0.0/16');
  t.equal(pickSubnet(DEFAULT_LOCAL_POOLS, [c('172.16.0.0/12')]), '192.168.0.0/20', 'then 192.168 in /20s');
  t.equal(pickSubnet(DEFAULT_LOCAL_POOLS, [c('172.16.0.0/12'), c('192.168.0.0/20')]), '192.168.16.0/20');
  t.equal(pickSubnet(DEFAULT_LOCAL_POOLS, [c('172.16.0.0/12'), c('192.168.0.0/16')]), null, 'exhausted');
  t.equal(pickSubnet([{ base: '10.10.0.0/16', size: 24 }], [c('10.10.0.0/24')]), '10.10.1.0/24');
  t.equal(pickSubnet([{ base: 'nonsense', size: 24 }, { base: '10.0.0.0/8', size: 4 }], []), null, 'invalid pools are skipped');
});
