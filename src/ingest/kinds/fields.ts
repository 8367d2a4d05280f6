/**
 * Field schemas shared by the kinds. Lengths follow the ledger's own limits (core/entry/event.ts),
 * so nothing validation accepts is refused by the appender later.
 */
import { z } from "zod";
import { LIMITS } from "../../core/entry/index.js";

/** A non-empty string of at most `max` characters. */
export const text = (max: number = LIMITS.field) => z.string().min(1).max(max);

/** Same shape as ledger kinds: dotted lower-case words. */
const DOTTED = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;

/** Actions of kinds whose vocabulary the source chooses (error, custom). */
export const freeAction = z.string().max(128).regex(DOTTED, "want dotted lower-case words like cache.evict");

/** Any JSON object (not an array or a scalar): exports and search read payloads by key. */
export const jsonObject = z.record(z.string(), z.unknown());

/** An action vocabulary. */
export const actions = <const T extends readonly [string, ...string[]]>(names: T) => z.enum(names);
