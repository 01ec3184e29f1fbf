import t from 'tap';
import type { Entry, Message, NodeId } from '../core/index.js';
import type { Transport } from '../transport/index.js';
import { RaftNode } from './raft-node.js';

/** A transport the test delivers messages through by hand. */
class HandTransport implements Transport {
  deliver: (m: Message) => void = () => undefined;
  send(): void { /* nobody to send to */ }
  onMessage(h: (m: Message) => void): void { this.deliver = h; }
  onUnreachable(_h: (peer: NodeId) => void): void { /* never */ }
  addPeer(): void { /* no peers */ }
  removePeer(): void { /* no peers */ }
  async close(): Promise<void> { /* nothing open */ }
}

const sm = { apply(_e: Entry): void { /* nothing */ }, snapshot: () => new Uint8Array(), restore(): void { /* nothing */ } };

// RaftNode used to swallow every exception from step() and run on, whatever
// state the core was left in.
t.test('a malformed message is dropped; any other exception from the core stops the node loudly', async (t) => {
  const transport = new HandTransport();
  const node = await RaftNode.open({ id: 'a', dir: t.testdir(), transport, stateMachine: sm, bootstrap: ['a', 'b', 'c'] });
  const running = node.run();
  t.teardown(() => node.stop());
  const term = node.status().hardState.term;
  transport.deliver({ type: 'heartbeat', from: 'b', to: 'a', term: term + 1 } as unknown as Message);
  await new Promise((r) => setImmediate(r));
  t.equal(node.status().hardState.term, term, 'the malformed heartbeat (no commit) changed nothing');
  const bug = new TypeError('a bug in the core');
  transport.deliver(new Proxy({}, { get: () => { throw bug; } }) as Message);
  await t.rejects(running, bug, 'run() rejects with the error, after stopping');
  await t.rejects(node.propose(new Uint8Array([1])), { code: 'RAFT_NODE_STOPPED' });
});
