/** Tokens handed to clients: API tokens and their scopes, and the cursors of paged reads. */
export { apiTokenHash, apiTokenId, formatApiToken, hasScope, parseScopes, type Scope, SCOPES } from "./api-token.js";
export { decodeCursor, encodeCursor, type EntryPosition } from "./cursor.js";
