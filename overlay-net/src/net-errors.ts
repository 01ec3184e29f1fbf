import { defineErrors } from '@shoal/common';

/** Errors of the kernel network plumbing (codes `NET_*`): links, namespaces, sysctls, nftables. */
export const netErrors = defineErrors('NET', {
  SETUP_FAILED: { status: 500, doc: 'Programming a bridge, network namespace, veth, sysctl or nftables table failed; the message has the tool\'s error. What the failed step made was undone.' },
});
