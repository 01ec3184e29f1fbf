/**
 * A node's TLS material on disk, the same on managers and workers:
 * `<dir>/certificates/` holds `swarm-root-ca.crt`, `swarm-node.crt` and
 * `swarm-node.key` (mode 0600).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@shoal/common';

/** The swarm's root CA certificate, and the node's certificate and key (PEM). */
export interface NodeTls {
  rootCaPem: string;
  certPem: string;
  keyPem: string;
}

const FILES = { rootCaPem: 'swarm-root-ca.crt', certPem: 'swarm-node.crt', keyPem: 'swarm-node.key' } as const;

export async function readNodeTls(dir: string): Promise<NodeTls> {
  const certs = join(dir, 'certificates');
  const [rootCaPem, certPem, keyPem] = await Promise.all([FILES.rootCaPem, FILES.certPem, FILES.keyPem].map((f) => readFile(join(certs, f), 'utf8')));
  return { rootCaPem: rootCaPem as string, certPem: certPem as string, keyPem: keyPem as string };
}

export async function writeNodeTls(dir: string, tls: NodeTls): Promise<void> {
  const certs = join(dir, 'certificates');
  await mkdir(certs, { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(certs, FILES.rootCaPem), tls.rootCaPem);
  await writeFileAtomic(join(certs, FILES.certPem), tls.certPem);
  await writeFileAtomic(join(certs, FILES.keyPem), tls.keyPem, { mode: 0o600 });
}
