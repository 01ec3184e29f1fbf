import { defineErrors } from '@shoal/common';

/** Errors of the runtime (crun, cgroups, rootfs, OCI spec). */
export const runtimeErrors = defineErrors('RUNTIME', {
  CGROUP_UNSUPPORTED: { status: 500, doc: 'The host cgroup layout cannot run containers with crun; the message names the fix (e.g. mount a v1 hugetlb hierarchy).' },
  CGROUP_SETUP_FAILED: { status: 500, doc: 'Preparing the cgroup hierarchy (e.g. mounting hugetlb) failed; run shoald as root.' },
  ROOTFS_MOUNT_FAILED: { status: 500, doc: 'The overlayfs mount of the image layers failed; check the data root is on a filesystem overlayfs accepts as upper.' },
  USER_NOT_FOUND: { status: 400, doc: 'The --user name or group is not in the image /etc/passwd or /etc/group; use a numeric id or a name that exists.' },
  INVALID_SPEC: { status: 400, doc: 'A container option cannot be turned into an OCI runtime spec (bad capability, mount, sysctl...); the message names it.' },
  CRUN_FAILED: { status: 500, doc: 'crun failed; the message has its stderr.' },
});
