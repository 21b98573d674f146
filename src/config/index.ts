export { loadConfig, redactedConfig, ConfigError, type LoadOptions } from './load.js';
export { configSchema, type ParleyConfig, type ConfigInput } from './schema.js';
export { settings, settingsMarkdownTable, type SettingInfo } from './settings.js';
export { ENV_BINDINGS } from './env.js';
