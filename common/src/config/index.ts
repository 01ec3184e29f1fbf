export { DAEMON_DEFAULTS, DEFAULT_CONFIG_FILE } from './daemon-config.js';
export type { DaemonConfig, DaemonLogLevel, AddressPool, RawSettings } from './daemon-config.js';
export { DAEMON_SETTINGS } from './daemon-settings.js';
export type { DaemonSetting } from './daemon-settings.js';
export { parseDaemonFlags, parseDaemonFile, mergeDaemonConfig, loadDaemonConfig } from './load-daemon-config.js';
export type { DaemonFlags, ReadConfigFile } from './load-daemon-config.js';
export { parseSize } from './config-values.js';
