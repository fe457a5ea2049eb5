/** The updatelog protocol: schemas, keys, codecs and typed JSON the engine shares, and the dissector. */
export * from './codec.ts';
export { decode } from './decode.ts';
export { exactRules, LOCAL_DB_PREFIX, match } from './detect.ts';
export { summarize, updatelogDissector as dissector, updatelogDissector } from './dissector.ts';
export * from './keys.ts';
export { model } from './model.ts';
export { applyUpdate, clientOf, entitiesOfSnapshot, entityKeyOf, init, reduce, type UpdatelogState } from './reduce.ts';
export * from './schemas.ts';
export * from './typed-json.ts';
export { escapeXml, parseXml, textOf, type XmlElement, type XmlNode } from './xml.ts';
