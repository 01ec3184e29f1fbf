import { defineErrors } from '@shoal/common';

/** Errors of the volumes subsystem (codes `ENGINE_VOLUME_*`, Docker-compatible statuses). */
export const volumeErrors = defineErrors('ENGINE_VOLUME', {
  NOT_FOUND: { status: 404, doc: 'No volume with that name; `docker volume ls` lists them.' },
  INVALID_NAME: { status: 400, doc: 'A volume name must match [a-zA-Z0-9][a-zA-Z0-9_.-]+ (at least two characters); to mount a host directory give an absolute path.' },
  INVALID_OPTION: { status: 400, doc: 'A driver option of the local driver is unknown or malformed (known: type, device, o; e.g. -o type=tmpfs -o device=tmpfs -o o=size=100m).' },
  DRIVER_NOT_FOUND: { status: 404, doc: 'Only the `local` volume driver exists on this engine; volume plugins are not supported.' },
  IN_USE: { status: 409, doc: 'The volume is referenced by containers (running or not); remove those containers first (`docker rm -v`), the message lists them.' },
  NAME_CONFLICT: { status: 409, doc: 'A volume with this name exists with another driver or other driver options; pick another name or remove the old volume.' },
  INVALID_FILTER: { status: 400, doc: 'A volume list or prune filter key or value is unknown (ls: dangling, driver, label, name; prune: label, all).' },
  MOUNT_FAILED: { status: 500, doc: 'Mounting the volume\'s device (its type/device/o options) failed; the message has the mount error. Check the options with `docker volume inspect`.' },
});
