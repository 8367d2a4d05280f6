/**
 * Text arguments are storable text or refused (docs/security.md, "The payload string rule"):
 * every String or ID argument of every field — a log's name, a pane, a hold's id — holds no NUL
 * (U+0000) and no lone surrogate. PostgreSQL refuses NUL in text (a query naming a log
 * `"a\u0000b"` failed as INTERNAL_SERVER_ERROR), and a lone surrogate is sent to it as U+FFFD,
 * so a lookup would be of a name other than the one asked. One check for every field, before
 * its resolver runs, rather than one per resolver; input objects' members keep their own checks
 * (the event filter's, an event's in its receipt).
 */
import { type GraphQLArgument, type GraphQLSchema, getNamedType, isObjectType } from "graphql";
import { isStorableText } from "../core/entry/index.js";
import { ApiError } from "./api-error.js";

const TEXT_TYPES = new Set(["String", "ID"]);

/** The first text argument (or list member) of `args` that is not storable, as its name. */
function unstorable(textArgs: readonly GraphQLArgument[], args: Record<string, unknown>): string | undefined {
  for (const arg of textArgs) {
    const value = args[arg.name];
    if (typeof value === "string") {
      if (!isStorableText(value)) return arg.name;
    } else if (Array.isArray(value)) {
      const i = value.findIndex((v) => typeof v === "string" && !isStorableText(v));
      if (i >= 0) return `${arg.name}[${i}]`;
    }
  }
  return undefined;
}

/** Wraps every field with text arguments so that unstorable text is refused (BAD_USER_INPUT) before it runs. Idempotent per schema. */
export function refuseUnstorableArguments(schema: GraphQLSchema): GraphQLSchema {
  if (wrapped.has(schema)) return schema;
  wrapped.add(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      const textArgs = field.args.filter((a) => TEXT_TYPES.has(getNamedType(a.type).name));
      if (textArgs.length === 0) continue;
      const check = (args: Record<string, unknown>) => {
        const name = unstorable(textArgs, args);
        if (name !== undefined) throw new ApiError("BAD_USER_INPUT", `${name}: contains NUL (U+0000) or a lone surrogate, which the ledger does not store`);
      };
      const { resolve, subscribe } = field;
      if (resolve) field.resolve = (source, args, context, info) => (check(args), resolve(source, args, context, info));
      if (subscribe) field.subscribe = (source, args, context, info) => (check(args), subscribe(source, args, context, info));
    }
  }
  return schema;
}

const wrapped = new WeakSet<GraphQLSchema>();
