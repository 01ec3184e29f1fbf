/**
 * Resolve Docker's `--user` (name|uid[:group|gid]) against the image's
 * /etc/passwd and /etc/group text. Pure: the caller reads the files.
 */
import { runtimeErrors } from './errors.js';

/** A line of /etc/passwd. */
export interface PasswdEntry { name: string; uid: number; gid: number; home: string }
/** A line of /etc/group. */
export interface GroupEntry { name: string; gid: number; members: string[] }

/** Parse /etc/passwd (bad lines skipped). */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (f[0] === undefined || f[0] === '' || !Number.isInteger(uid) || !Number.isInteger(gid)) continue;
    out.push({ name: f[0], uid, gid, home: f[5] ?? '/' });
  }
  return out;
}

/** Parse /etc/group (bad lines skipped). */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    const gid = Number(f[2]);
    if (f[0] === undefined || f[0] === '' || f[2] === '' || !Number.isInteger(gid)) continue;
    out.push({ name: f[0], gid, members: (f[3] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '') });
  }
  return out;
}

/** The process identity as an OCI spec wants it. */
export interface ResolvedUser { uid: number; gid: number; additionalGids: number[]; home: string }

const isNum = (s: string): boolean => /^[0-9]+$/.test(s);

/**
 * Resolve as Docker (moby/sys/user GetExecUser): empty user is root; a
 * name must exist in passwd; a numeric uid need not (gid then 0 unless the
 * uid is in passwd); the group part overrides the primary group. Without an
 * explicit group, supplementary groups are those listing the user name;
 * `groupAdd` (names or gids) are appended.
 */
export function resolveUser(user: string, passwdText: string | null, groupText: string | null, groupAdd: readonly string[] = []): ResolvedUser {
  const passwd = parsePasswd(passwdText ?? '');
  const groups = parseGroup(groupText ?? '');
  const [userPart = '', groupPart] = user.split(':', 2);
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name: string | undefined;
  if (userPart === '') {
    const root = passwd.find((p) => p.uid === 0);
    name = root?.name ?? 'root';
    home = root?.home ?? '/root';
  } else if (isNum(userPart)) {
    uid = Number(userPart);
    const p = passwd.find((e) => e.uid === uid);
    if (p !== undefined) { gid = p.gid; home = p.home; name = p.name; }
  } else {
    const p = passwd.find((e) => e.name === userPart);
    if (p === undefined) throw runtimeErrors.make('USER_NOT_FOUND', `unable to find user ${userPart}: no matching entries in passwd file`);
    uid = p.uid; gid = p.gid; home = p.home; name = p.name;
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (isNum(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((e) => e.name === groupPart);
      if (g === undefined) throw runtimeErrors.make('USER_NOT_FOUND', `unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  const extra: number[] = [];
  if ((groupPart === undefined || groupPart === '') && name !== undefined) {
    for (const g of groups) if (g.members.includes(name) && g.gid !== gid) extra.push(g.gid);
  }
  for (const ga of groupAdd) {
    if (isNum(ga)) extra.push(Number(ga));
    else {
      const g = groups.find((e) => e.name === ga);
      if (g === undefined) throw runtimeErrors.make('USER_NOT_FOUND', `unable to find group ${ga}: no matching entries in group file`);
      extra.push(g.gid);
    }
  }
  const additionalGids = [...new Set([gid, ...extra])];
  return { uid, gid, additionalGids, home };
}
