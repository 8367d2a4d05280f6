/**
 * Which root fields of the ledger a request touches, for its audit record (PCI DSS 10.2.1.3:
 * all access to audit logs is logged). Two views, joined, so that the record holds every root
 * field the executor ran whatever the document's shape:
 * - before execution, from the document: every root field reachable from the operation through
 *   any nesting of named and inline fragments (no depth cut-off — a cut-off is a way around the
 *   log), and whatever @skip/@include say (a superset of what runs);
 * - during execution, from the executor itself: each root resolver (and subscription source)
 *   notes its field in the request's context before it runs, so a field the first view could
 *   miss is still recorded.
 */
import { type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, Kind, type OperationDefinitionNode, type SelectionNode } from "graphql";

/** The context members the executor's view is kept in. */
export interface ExecutedFields {
  executed?: Set<string>;
  /**
   * Each root field as it ran — its response key and its arguments after variables and
   * defaults — for the audit record: what was read, whatever the text around it (comments,
   * padding, variables) looked like. At most MAX_CALLS; `callsDropped` counts the rest.
   */
  calls?: { field: string; args: Record<string, unknown> }[];
  callsDropped?: number;
}

export const MAX_CALLS = 32;

/** Root fields of `operation` that read or write the ledger (introspection and __typename do not). */
export function ledgerFields(operation: OperationDefinitionNode | undefined, document?: DocumentNode): string[] {
  if (!operation) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document?.definitions ?? []) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const fields = new Set<string>();
  const spread = new Set<string>();
  // An explicit stack, not recursion: the nesting of fragments is the client's to choose.
  const stack: SelectionNode[] = [...operation.selectionSet.selections];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (s.kind === Kind.FIELD) {
      if (!s.name.value.startsWith("__")) fields.add(s.name.value);
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      stack.push(...s.selectionSet.selections);
    } else if (!spread.has(s.name.value)) {
      // Each fragment's root fields are the same wherever it is spread: walked once.
      spread.add(s.name.value);
      const f = fragments.get(s.name.value);
      if (f) stack.push(...f.selectionSet.selections);
    }
  }
  return [...fields].sort();
}

/** The fields to record: the document's view joined with what the executor ran. */
export function recordedFields(operation: OperationDefinitionNode | undefined, document: DocumentNode | undefined, context: ExecutedFields): string[] {
  const fields = new Set(ledgerFields(operation, document));
  for (const f of context.executed ?? []) fields.add(f);
  return [...fields].sort();
}

/**
 * Wraps every root field's resolver (and subscription source) of `schema` so that it notes its
 * field in `context.executed` before it runs. Idempotent per schema.
 */
export function noteExecutedRootFields(schema: GraphQLSchema): GraphQLSchema {
  if (wrapped.has(schema)) return schema;
  wrapped.add(schema);
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      const note = (context: unknown, args: Record<string, unknown>, key: string | number) => {
        if (typeof context !== "object" || context === null) return;
        const c = context as ExecutedFields;
        (c.executed ??= new Set()).add(field.name);
        if ((c.calls ??= []).length < MAX_CALLS) c.calls.push({ field: key === field.name ? field.name : `${key}: ${field.name}`, args });
        else c.callsDropped = (c.callsDropped ?? 0) + 1;
      };
      const { resolve, subscribe } = field;
      if (resolve) field.resolve = (source, args, context, info) => (note(context, args, info.path.key), resolve(source, args, context, info));
      if (subscribe) field.subscribe = (source, args, context, info) => (note(context, args, info.path.key), subscribe(source, args, context, info));
    }
  }
  return schema;
}

const wrapped = new WeakSet<GraphQLSchema>();
