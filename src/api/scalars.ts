/** Scalars from graphql-scalars (STACK.md: 1.x for type-graphql rc.4). */
import { GraphQLError, GraphQLScalarType, Kind, type ObjectValueNode, type ValueNode } from "graphql";
import { GraphQLJSON } from "graphql-scalars";
import { exactNumber } from "../core/encoding/index.js";

export { GraphQLBigInt as BigIntScalar, GraphQLDateTime as DateTimeScalar } from "graphql-scalars";

/**
 * graphql-scalars' JSON, except that a number written in the query is kept exactly or refused:
 * its literal would otherwise go through parseFloat, and 12345678901234567891 would become
 * 12345678901234567000 without a word (RFC 8785 §3.2.2.3; docs/security.md).
 */
export const JSONScalar = new GraphQLScalarType({
  ...GraphQLJSON.toConfig(),
  parseLiteral: (ast, variables) => literalValue(ast, variables ?? undefined),
});

function literalValue(ast: ValueNode, variables: Record<string, unknown> | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      try {
        return exactNumber(ast.value, "a JSON number");
      } catch (error) {
        throw new GraphQLError((error as Error).message, { nodes: ast });
      }
    case Kind.OBJECT:
      return objectValue(ast, variables);
    case Kind.LIST:
      return ast.values.map((v) => literalValue(v, variables));
    case Kind.NULL:
      return null;
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw new GraphQLError(`JSON cannot represent ${ast.kind}`, { nodes: ast });
  }
}

function objectValue(ast: ObjectValueNode, variables: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const field of ast.fields) out[field.name.value] = literalValue(field.value, variables);
  return out;
}
