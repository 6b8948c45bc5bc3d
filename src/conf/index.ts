export { parseConf, serializeConf, effectiveLine, effectiveValue } from './parse.js';
export type { ConfDoc, ConfLine, SimpleAssignment, Eol, Touch, TouchContext, TouchKind } from './parse.js';
export { updateConf, readOwned, readConf, ConfEditError, NEW_CONF_HEADER } from './edit.js';
export type { ConfReading, ConfRefusal } from './edit.js';
export { decodeConf } from './decode.js';
export type { Decoded } from './decode.js';
export { OWNED_KEYS, checkConfValues, timestampOf } from './values.js';
export type { OwnedKey, ConfValues } from './values.js';
