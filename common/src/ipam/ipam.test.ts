import t from 'tap';
import fc from 'fast-check';
import { allocateIp, ipamCapacity, newIpam, releaseIp, releaseOwner, type IpamState } from './ipam.js';
import { hasCode } from '../errors/index.js';

t.test('sequential allocation skips network, gateway and broadcast', async (t) => {
  let s = newIpam('10.0.0.0/29', '10.0.0.1');
  t.equal(ipamCapacity(s), 5);
  const got: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = allocateIp(s, `c${i}`);
    s = r.state;
    got.push(r.ip);
  }
  t.same(got, ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
  t.throws(() => allocateIp(s, 'x'), { code: 'IPAM_POOL_EXHAUSTED' });
});

t.test('a released address is reused last (after wrapping)', async (t) => {
  let s = newIpam('10.0.0.0/29', '10.0.0.6');
  s = allocateIp(s, 'a').state; // .1
  s = allocateIp(s, 'b').state; // .2
  s = releaseIp(s, '10.0.0.1');
  const r = allocateIp(s, 'c');
  t.equal(r.ip, '10.0.0.3', 'continues after the last handed out');
  s = allocateIp(r.state, 'd').state; // .4
  s = allocateIp(s, 'e').state; // .5 (.6 is the gateway)
  t.equal(allocateIp(s, 'f').ip, '10.0.0.1', 'wraps to the released one');
});

t.test('input states are never modified; preferred addresses; release by owner', async (t) => {
  const s0 = newIpam('172.29.0.0/16', '172.29.0.1');
  const r = allocateIp(s0, 'a', '172.29.3.4');
  t.same(s0.allocated, {}, 'input unchanged');
  t.equal(r.ip, '172.29.3.4');
  t.throws(() => allocateIp(r.state, 'b', '172.29.3.4'), { code: 'IPAM_ADDRESS_UNAVAILABLE' });
  t.throws(() => allocateIp(r.state, 'b', '172.29.0.1'), { code: 'IPAM_ADDRESS_UNAVAILABLE' }, 'gateway');
  t.throws(() => allocateIp(r.state, 'b', '172.29.255.255'), { code: 'IPAM_ADDRESS_UNAVAILABLE' }, 'broadcast');
  t.throws(() => allocateIp(r.state, 'b', '10.0.0.2'), { code: 'IPAM_ADDRESS_UNAVAILABLE' }, 'outside');
  t.same(releaseOwner(r.state, 'a').allocated, {});
  t.throws(() => newIpam('10.0.0.0/31', '10.0.0.1'), { code: 'IPAM_INVALID_SUBNET' });
  t.throws(() => newIpam('10.0.0.0/24', '10.0.1.1'), { code: 'IPAM_INVALID_SUBNET' });
  t.same(JSON.parse(JSON.stringify(r.state)), r.state, 'state is plain JSON');
});

/** The reference: a set of taken host numbers, "any free one" semantics. */
t.test('property: matches a simple reference (no double allocation, release frees)', async (t) => {
  const prefix = 28; // 14 hosts, 13 allocatable
  type Op = { kind: 'alloc' } | { kind: 'release'; pick: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.constant<Op>({ kind: 'alloc' }),
    fc.nat(50).map((pick): Op => ({ kind: 'release', pick })),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 1, max: 14 }), (ops, gwHost) => {
      const gateway = `10.9.8.${gwHost}`;
      let s: IpamState = newIpam(`10.9.8.0/${prefix}`, gateway);
      const ref = new Map<string, string>(); // ip -> owner
      let n = 0;
      for (const o of ops) {
        if (o.kind === 'alloc') {
          const owner = `c${n++}`;
          const free = 13 - ref.size;
          try {
            const r = allocateIp(s, owner);
            if (free === 0) return false; // must have thrown
            if (ref.has(r.ip) || r.ip === gateway || r.ip === '10.9.8.0' || r.ip === '10.9.8.15') return false;
            ref.set(r.ip, owner);
            s = r.state;
          } catch (e) {
            if (!hasCode(e, 'IPAM_POOL_EXHAUSTED') || free !== 0) return false;
          }
        } else {
          const ips = [...ref.keys()];
          if (ips.length === 0) continue;
          const ip = ips[o.pick % ips.length] ?? '';
          ref.delete(ip);
          s = releaseIp(s, ip);
        }
        const model = Object.fromEntries([...ref.entries()].sort());
        const got = Object.fromEntries(Object.entries(s.allocated).sort());
        if (JSON.stringify(model) !== JSON.stringify(got)) return false;
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass('300 random operation sequences agree with the reference');
});
