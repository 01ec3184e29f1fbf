/** Docker's ENTRYPOINT / CMD rules. Pure. */

/** What a container was given and what its image says. null/undefined = not set. */
export interface CommandInput {
  entrypoint?: string[] | null;
  cmd?: string[] | null;
  imageEntrypoint?: string[] | null;
  imageCmd?: string[] | null;
}

/**
 * The argv to run, as Docker: a container Entrypoint replaces the image's
 * and drops the image Cmd; a container Cmd replaces the image Cmd; the
 * result is entrypoint ++ cmd. An explicitly empty Entrypoint ([""] or [])
 * resets the image entrypoint.
 */
export function resolveCommand(input: CommandInput): { entrypoint: string[]; cmd: string[]; argv: string[] } {
  const ctrEp = input.entrypoint;
  let entrypoint: string[];
  let cmd: string[];
  if (ctrEp !== undefined && ctrEp !== null) {
    entrypoint = ctrEp.length === 1 && ctrEp[0] === '' ? [] : [...ctrEp];
    cmd = input.cmd != null ? [...input.cmd] : [];
  } else {
    entrypoint = input.imageEntrypoint != null ? [...input.imageEntrypoint] : [];
    cmd = input.cmd != null ? [...input.cmd] : input.imageCmd != null ? [...input.imageCmd] : [];
  }
  return { entrypoint, cmd, argv: [...entrypoint, ...cmd] };
}
