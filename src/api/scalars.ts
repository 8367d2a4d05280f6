/** Scalars from graphql-scalars (STACK.md: 1.x for type-graphql rc.4). */
export { GraphQLBigInt as BigIntScalar, GraphQLDateTime as DateTimeScalar, GraphQLJSON as JSONScalar } from "graphql-scalars";
