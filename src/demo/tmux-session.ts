/**
 * One recorded tmux session, as `sealtrail tmux attach` and the shell hook record it: the
 * session's lifecycle, each command line with its exit status, and the pane's output in
 * chunks (seq and byte offset contiguous, so `sealtrail tmux replay` plays it back).
 */
import type { EventInput } from "../core/entry/index.js";
import type { DemoRandom } from "./random.js";

export const DEMO_SESSION = "incident-2026-08-11";
const HOST = "bastion-1";
const SERVER = "1786414200-4242";

const COMMANDS: [string, number, string][] = [
  ["kubectl get pods -n billing", 0, "NAME                      READY   STATUS             RESTARTS\nbilling-7f9c-abcde        0/1     CrashLoopBackOff   12\nbilling-7f9c-fghij        1/1     Running            0\n"],
  ["kubectl logs billing-7f9c-abcde -n billing --tail=5", 0, "FATAL: out of memory while loading invoice batch 2026-08\n"],
  ["kubectl describe deploy billing -n billing | grep -i memory", 0, "      memory:  256Mi\n"],
  ["kubectl set resources deploy billing -n billing --limits=memory=512Mi", 0, "deployment.apps/billing resource requirements updated\n"],
  ["kubectl rollout status deploy billing -n billing", 0, "deployment \"billing\" successfully rolled out\n"],
  ["psql -h prod-db -c 'select count(*) from invoices where status = $$pending$$'", 2, "psql: error: connection to server at \"prod-db\" failed: FATAL: no pg_hba.conf entry\n"],
  ["sudo -u billing psql -c 'select count(*) from invoices where status = $$pending$$'", 0, " count\n-------\n   412\n(1 row)\n"],
  ["curl -s https://api.example.com/healthz", 0, "{\"status\":\"ok\"}\n"],
];

export function tmuxSession(random: DemoRandom, start: number): EventInput[] {
  const events: EventInput[] = [];
  let now = start * 1000;
  const base = { session: DEMO_SESSION, host: HOST, sessionId: "$1", server: SERVER };
  const life = (action: string, extra: object = {}) =>
    events.push({ kind: "tmux.session", actor: "dave", action, resource: `tmux/${HOST}/${DEMO_SESSION}`, occurredAt: new Date(now / 1000).toISOString(), payload: { ...base, timeUs: now, ...extra } });
  life("session.create");
  life("pane.create", { window: "@1", pane: "%1", width: 120, height: 32 });
  life("capture.start", { window: "@1", pane: "%1" });
  let seq = 0;
  let offset = 0;
  const output = (text: string) => {
    const data = Buffer.from(text.replaceAll("\n", "\r\n"));
    events.push({ kind: "tmux.output", actor: "dave", action: "pane.output", resource: `tmux/${HOST}/${DEMO_SESSION}/%1`, occurredAt: new Date(now / 1000).toISOString(), payload: { ...base, window: "@1", pane: "%1", seq: seq++, offset, timeUs: now, data: data.toString("base64"), text: data.toString("utf8"), width: 120, height: 32 } });
    offset += data.length;
  };
  for (const [command, exitCode, out] of COMMANDS) {
    output(`dave@${HOST}:~$ ${command}\n`);
    now += random.int(2, 20) * 1_000_000;
    output(out);
    events.push({ kind: "tmux.command", actor: "dave", action: "command.run", resource: `tmux/${HOST}/${DEMO_SESSION}/%1`, outcome: exitCode === 0 ? "success" : "failure", occurredAt: new Date(now / 1000).toISOString(), payload: { ...base, pane: "%1", command, exitCode, cwd: "/home/dave", shell: "bash", timeUs: now } });
    now += random.int(5, 60) * 1_000_000;
  }
  life("capture.stop", { window: "@1", pane: "%1" });
  life("session.close");
  return events;
}
