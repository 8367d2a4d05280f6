/**
 * GitHub `deployment` and `deployment_status` webhook payloads as `deploy` events
 * (docs.github.com, "Webhook events and payloads": deployment, deployment_status). A
 * deployment being created starts a deploy; a status of success, failure or error finishes
 * it. Other states (pending, queued, in_progress, waiting, inactive) record nothing: they
 * are steps of a deploy already started, and `inactive` is GitHub retiring an old one.
 * Pure: a parsed payload in, an event or a reason to ignore it out.
 */
import { z } from "zod";
import { WebhookError } from "./webhook-error.js";

const login = z.looseObject({ login: z.string().min(1) });
const deployment = z.looseObject({
  id: z.number().int(),
  sha: z.string().min(1),
  ref: z.string().min(1),
  task: z.string().optional(),
  environment: z.string().min(1),
  description: z.string().nullish(),
  creator: login.nullish(),
  created_at: z.string().min(1),
});
const common = { repository: z.looseObject({ full_name: z.string().min(1) }), sender: login };
const deploymentEvent = z.looseObject({ action: z.string().optional(), deployment, ...common });
const deploymentStatusEvent = z.looseObject({
  action: z.string().optional(),
  deployment,
  deployment_status: z.looseObject({
    id: z.number().int(),
    state: z.string().min(1),
    creator: login.nullish(),
    description: z.string().nullish(),
    environment: z.string().nullish(),
    target_url: z.string().nullish(),
    log_url: z.string().nullish(),
    environment_url: z.string().nullish(),
    created_at: z.string().min(1),
    updated_at: z.string().nullish(),
  }),
  ...common,
});

export type GitHubMapping = { event: Record<string, unknown> } | { ignored: string };

/** Throws WebhookError PAYLOAD_INVALID when a deployment payload lacks what a deploy event needs. */
export function deployEventFromGitHub(githubEvent: string, body: unknown, sourceName: string, delivery: string): GitHubMapping {
  if (githubEvent === "ping") return { ignored: "ping: the hook is set up" };
  if (githubEvent === "deployment") {
    // X-GitHub-Event is not covered by the signature: a signed deployment_status body sent
    // again as "deployment" must not become a deploy.start.
    if (typeof body === "object" && body !== null && "deployment_status" in body) {
      throw new WebhookError("PAYLOAD_INVALID", "X-GitHub-Event: deployment, but the body is a deployment_status event");
    }
    const p = parse(deploymentEvent, body);
    const d = p.deployment;
    return {
      event: {
        kind: "deploy",
        action: "deploy.start",
        actor: (d.creator ?? p.sender).login,
        resource: p.repository.full_name,
        outcome: "success",
        source: `github/${sourceName}`,
        occurredAt: d.created_at,
        payload: compact({ version: d.ref, commit: d.sha, environment: d.environment, deploymentId: d.id, task: d.task, description: d.description, delivery }),
      },
    };
  }
  if (githubEvent === "deployment_status") {
    const p = parse(deploymentStatusEvent, body);
    const d = p.deployment;
    const s = p.deployment_status;
    const outcome = s.state === "success" ? "success" : s.state === "failure" || s.state === "error" ? "failure" : undefined;
    if (!outcome) return { ignored: `deployment_status ${s.state}: only success, failure and error finish a deploy` };
    return {
      event: {
        kind: "deploy",
        action: "deploy.finish",
        actor: (s.creator ?? p.sender).login,
        resource: p.repository.full_name,
        outcome,
        source: `github/${sourceName}`,
        occurredAt: s.updated_at ?? s.created_at,
        payload: compact({
          version: d.ref,
          commit: d.sha,
          environment: s.environment ?? d.environment,
          deploymentId: d.id,
          statusId: s.id,
          state: s.state,
          description: s.description,
          targetUrl: s.target_url,
          logUrl: s.log_url,
          environmentUrl: s.environment_url,
          delivery,
        }),
      },
    };
  }
  return { ignored: `${githubEvent}: not recorded; send deployment and deployment_status events` };
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new WebhookError("PAYLOAD_INVALID", `${issue.path.join(".") || "body"}: ${issue.message}`);
}

/** Drops absent fields: the ledger stores null as a value, and GitHub sends many nulls. */
function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined && v !== null && v !== ""));
}
