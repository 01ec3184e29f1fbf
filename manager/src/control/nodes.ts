/**
 * The control API of nodes, in the Engine API's shapes: `docker node
 * ls/inspect/update/rm` (promote and demote are updates of the role).
 * Writes go through the store with the version read (Docker's "update out
 * of sequence"); a change that would leave the swarm without a manager is
 * refused with Docker's sentence.
 */
import type { SwarmNode } from '@shoal/common';
import type { Store, StoredObject } from '../store/index.js';
import { controlErrors } from './errors.js';
import { labelMatch, type Filters } from './services.js';

const asNode = (o: StoredObject): SwarmNode => o as unknown as SwarmNode;

/** A manager's status as Raft sees it now (who leads, who answers). */
export type ManagerStatusOf = (nodeId: string) => { Leader: boolean; Reachability: 'reachable' | 'unreachable' | 'unknown' } | undefined;

/**
 * A node as the API shows it: its certificate is the node's own business;
 * a manager's Leader and Reachability come from Raft at the time of the
 * call, not from the store (they change without a write).
 */
export function nodeView(node: StoredObject, managerStatus?: ManagerStatusOf): SwarmNode {
  const { Certificate: _cert, ...rest } = structuredClone(node) as unknown as SwarmNode & { Certificate?: string };
  const live = rest.ManagerStatus !== undefined ? managerStatus?.(rest.ID) : undefined;
  if (rest.ManagerStatus !== undefined && live !== undefined) {
    const { Leader: _stored, ...ms } = rest.ManagerStatus;
    rest.ManagerStatus = { ...(live.Leader ? { Leader: true } : {}), ...ms, Reachability: live.Reachability };
  }
  return rest;
}

/** Nodes, as the Engine API serves them. */
export class NodeControl {
  readonly #store: Store;
  readonly #managerStatus: ManagerStatusOf | undefined;

  constructor(store: Store, managerStatus?: ManagerStatusOf) {
    this.#store = store;
    this.#managerStatus = managerStatus;
  }

  #all(): SwarmNode[] {
    return this.#store.view((tx) => tx.list('nodes')).map(asNode);
  }

  /** By full id, then a unique id prefix (an ambiguous one finds nothing), then the hostname (Docker's order). */
  #find(ref: string): SwarmNode {
    const all = this.#all();
    const prefixed = ref === '' ? [] : all.filter((n) => n.ID.startsWith(ref));
    const found = all.find((n) => n.ID === ref) ?? (prefixed.length === 1 ? prefixed[0] : undefined) ?? all.find((n) => n.Description.Hostname === ref);
    if (found === undefined) throw controlErrors.make('NODE_NOT_FOUND', `node ${ref} not found`);
    return found;
  }

  /** GET /nodes/{id}. */
  getNode(ref: string): SwarmNode {
    return nodeView(this.#find(ref) as unknown as StoredObject, this.#managerStatus);
  }

  /** GET /nodes (filters: id, name, role, membership, label (engine labels), node.label). */
  listNodes(filters: Filters = {}): SwarmNode[] {
    return this.#all().filter((n) =>
      (filters.id === undefined || filters.id.some((f) => n.ID.startsWith(f)))
      && (filters.name === undefined || filters.name.some((f) => n.Description.Hostname.startsWith(f) || (n.Spec.Name ?? '').startsWith(f)))
      && (filters.role === undefined || filters.role.includes(n.Spec.Role))
      && (filters.membership === undefined || filters.membership.includes('accepted'))
      && (filters.label === undefined || labelMatch(n.Description.Engine.Labels, filters.label))
      && (filters['node.label'] === undefined || labelMatch(n.Spec.Labels, filters['node.label'])))
      .map((n) => nodeView(n as unknown as StoredObject, this.#managerStatus));
  }

  /** POST /nodes/{id}/update?version=N: availability, labels, role. */
  async updateNode(ref: string, version: number, body: unknown): Promise<void> {
    const node = this.#find(ref);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw controlErrors.make('INVALID_ARGUMENT', 'node spec must be a JSON object');
    const spec = body as Partial<SwarmNode['Spec']>;
    if (spec.Availability !== undefined && !['active', 'pause', 'drain'].includes(spec.Availability)) throw controlErrors.make('INVALID_ARGUMENT', `invalid availability: ${String(spec.Availability)}`);
    if (spec.Role !== undefined && !['manager', 'worker'].includes(spec.Role)) throw controlErrors.make('INVALID_ARGUMENT', `invalid role: ${String(spec.Role)}`);
    if (spec.Labels !== undefined && spec.Labels !== null && (typeof spec.Labels !== 'object' || Object.values(spec.Labels).some((v) => typeof v !== 'string'))) {
      throw controlErrors.make('INVALID_ARGUMENT', 'node labels must be a map of strings');
    }
    const role = spec.Role ?? node.Spec.Role;
    if (node.Spec.Role === 'manager' && role === 'worker') {
      const managers = this.#store.view((tx) => tx.find('nodes', 'role', 'manager').length);
      if (managers <= 1) throw controlErrors.make('LAST_MANAGER', 'attempting to demote the last manager of the swarm');
      throw controlErrors.make('MEMBERSHIP_UNSUPPORTED', 'demoting a manager needs Raft membership changes, which come with manager joins');
    }
    if (node.Spec.Role === 'worker' && role === 'manager') throw controlErrors.make('MEMBERSHIP_UNSUPPORTED', 'promoting a worker needs Raft membership changes, which come with manager joins');
    if (!Number.isInteger(version) || version < 0) throw controlErrors.make('INVALID_ARGUMENT', 'invalid node version');
    await this.#store.update((tx) => {
      tx.update('nodes', {
        ...structuredClone(node) as unknown as Parameters<typeof tx.update>[1], Version: { Index: version },
        Spec: { ...structuredClone(node.Spec), ...(spec.Name !== undefined ? { Name: spec.Name } : {}), Labels: { ...(spec.Labels ?? {}) }, Role: role, Availability: spec.Availability ?? node.Spec.Availability },
      });
    });
  }

  /** DELETE /nodes/{id}[?force]: a manager must be demoted first; a worker that is up needs force. */
  async removeNode(ref: string, force: boolean): Promise<void> {
    const node = this.#find(ref);
    if (node.Spec.Role === 'manager' || node.ManagerStatus !== undefined) {
      throw controlErrors.make('NODE_IS_MANAGER', `node ${node.ID} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`);
    }
    if (!force && node.Status.State !== 'down') throw controlErrors.make('NODE_NOT_DOWN', `node ${node.ID} is not down and can't be removed`);
    await this.#store.update((tx) => tx.delete('nodes', node.ID));
  }
}
