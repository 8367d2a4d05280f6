/** Webhook sources: signed HTTP requests that become events on the ingest queue. */
export { deployEventFromGitHub } from "./github-deployment.js";
export { GITHUB_HEADERS, receiveWebhook, SIGNED_HEADERS, type WebhookDeps, type WebhookRequest, type WebhookResponse } from "./receive-webhook.js";
export { WebhookError, type WebhookErrorCode } from "./webhook-error.js";
export { signature, signatureMatches, signatureMatchesAny } from "./webhook-signature.js";
