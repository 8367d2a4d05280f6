import { lazy, Suspense, useMemo, useState } from "react";
import { Link, useLocation, useSearch } from "wouter";
import { isUnknownLog, Missing, request } from "../api";
import { readFragment, type ResultOf } from "../graphql";
import { buildRecording, chunkOf, commandOf, findInRecording } from "../sessions/cast";
import { RecordedEntryFields, RecordingProofsQuery, RecordingQuery, SessionsQuery } from "../sessions/documents";
import type { SeekRequest } from "../sessions/player";
import { type ChunkVerdict, type GapProof, provableGaps, verifyChunks } from "../sessions/verify-recording";
import { count, utc } from "../ui/format";
import { Badge, Empty, Failure, Loading } from "../ui/states";
import { useQuery } from "../ui/use-query";

const TerminalPlayer = lazy(() => import("../sessions/player"));

type Session = ResultOf<typeof SessionsQuery>["tmuxSessions"][number];
const SPEEDS = [0.5, 1, 2, 4, 8];

export function sessionLength(s: Pick<Session, "startedAt" | "endedAt" | "lastAt">): string {
  const ms = Date.parse(s.endedAt ?? s.lastAt) - Date.parse(s.startedAt);
  const secs = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${secs % 60} s` : `${secs} s`;
}

const link = (s: Pick<Session, "log" | "server" | "session">, pane: string) =>
  `/sessions?${new URLSearchParams({ log: s.log, server: s.server, session: s.session, pane }).toString()}`;

/** Recorded tmux sessions, and the playback and proof of one pane. */
export function SessionsPage() {
  const params = new URLSearchParams(useSearch());
  const chosen = { log: params.get("log") ?? "", server: params.get("server") ?? "", session: params.get("session") ?? "", pane: params.get("pane") ?? "" };
  const { state, reload } = useQuery(SessionsQuery, { first: 200 });
  return (
    <div className="page">
      <div className="page-head">
        <h1>Sessions</h1>
        <p className="muted">Terminal sessions recorded from tmux: who ran what, where and for how long. Play a pane back, find a moment in it, and prove every recorded chunk against the signed log. Each view is recorded in your audit log.</p>
      </div>
      {chosen.log && chosen.server && chosen.pane ? <Recording {...chosen} sessions={state.status === "done" ? state.data.tmuxSessions : []} /> : null}
      {state.status === "loading" ? <Loading label="Loading recorded sessions…" /> : null}
      {state.status === "error" ? <Failure error={state.error} retry={reload} /> : null}
      {state.status === "done" && state.data.tmuxSessions.length === 0 ? (
        <Empty title="No recorded sessions">Sessions appear here once <code>sealtrail tmux attach</code> records one into a log of your tenant.</Empty>
      ) : null}
      {state.status === "done" && state.data.tmuxSessions.length > 0 ? <SessionTable sessions={state.data.tmuxSessions} /> : null}
    </div>
  );
}

function SessionTable({ sessions }: { sessions: readonly Session[] }) {
  return (
    <div className="table-wrap">
      <table className="grid" aria-label="Recorded sessions">
        <thead>
          <tr><th scope="col">Session</th><th scope="col">Host</th><th scope="col">User</th><th scope="col">Started (UTC)</th><th scope="col">Ended</th><th scope="col" className="num">Duration</th><th scope="col">Panes</th><th scope="col" className="num">Commands</th></tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={`${s.log}/${s.server}/${s.session}`} data-session={s.session}>
              <th scope="row">{s.session}<div className="muted small">{s.log}</div></th>
              <td>{s.host ?? "—"}</td>
              <td>{s.user}</td>
              <td className="nowrap">{utc(s.startedAt)}</td>
              <td className="nowrap">{s.endedAt ? utc(s.endedAt) : <Badge tone="warn">open</Badge>}</td>
              <td className="num">{sessionLength(s)}</td>
              <td>{s.panes.length === 0 ? "—" : s.panes.map((p) => <Link key={p} className="pane-link" href={link(s, p)} aria-label={`Play pane ${p} of ${s.session}`}>{p}</Link>)}</td>
              <td className="num">{count(s.commands)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Recording(props: { log: string; server: string; session: string; pane: string; sessions: readonly Session[] }) {
  const { log, server, session, pane } = props;
  const [, navigate] = useLocation();
  const { state, reload } = useQuery(RecordingQuery, { log, server, pane });
  const [speed, setSpeed] = useState(1);
  const [seek, setSeek] = useState<SeekRequest | null>(null);
  const [needle, setNeedle] = useState("");
  const [hit, setHit] = useState<{ chunk: number; none?: boolean } | null>(null);
  const data = state.status === "done" ? state.data : undefined;
  const recording = useMemo(() => {
    if (!data) return undefined;
    const chunks = data.paneRecording.chunks.map((c) => chunkOf(readFragment(RecordedEntryFields, c)));
    const commands = data.paneRecording.commands.map((c) => commandOf(readFragment(RecordedEntryFields, c)));
    return buildRecording(chunks, commands);
  }, [data]);
  const markers = useMemo<[number, string][]>(() => recording ? recording.commands.map((c, i) => [recording.commandAt[i]!, `$ ${c.command} (exit ${c.exitCode})`]) : [], [recording]);
  const info = props.sessions.find((s) => s.log === log && s.server === server && s.session === session);
  const close = () => navigate("/sessions");
  const jump = (at: number) => setSeek({ at, nonce: Date.now() + Math.random() });

  function find(from: number) {
    if (!recording) return;
    const i = findInRecording(recording, needle, from);
    if (i < 0) return setHit({ chunk: from, none: true });
    setHit({ chunk: i });
    jump(recording.chunkAt[i]! + 0.001 + chunkSpan(recording, i));
  }

  return (
    <section className="panel recording" aria-labelledby="rec-title">
      <div className="panel-head">
        <div>
          <h2 id="rec-title">{session || "Session"} · pane {pane}</h2>
          <p className="muted small">{info ? <>{info.host ?? "unknown host"} · {info.user} · {utc(info.startedAt)} · {sessionLength(info)}</> : <>log {log}</>}</p>
        </div>
        <button type="button" className="btn btn-quiet" onClick={close}>Close recording</button>
      </div>
      {state.status === "loading" ? <Loading label="Loading the recording…" /> : null}
      {state.status === "error" ? <Failure error={isUnknownLog(state.error) ? new Missing(`No log ${log} in your tenant`) : state.error} retry={isUnknownLog(state.error) ? undefined : reload} /> : null}
      {recording && data && recording.chunks.length === 0 && recording.commands.length === 0 ? (
        <Failure error={new Missing(`No recording of pane ${pane} in your tenant's log ${log}`)} />
      ) : null}
      {recording && data && (recording.chunks.length > 0 || recording.commands.length > 0) ? (
        <>
          {!data.paneRecording.complete ? <p className="warn-text">This recording is longer than one view holds: the first {count(recording.chunks.length)} chunks are shown. Use <code>sealtrail tmux replay</code> for the whole stream.</p> : null}
          <div className="player-tools">
            <label className="inline">Speed
              <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>{SPEEDS.map((s) => <option key={s} value={s}>{s}×</option>)}</select>
            </label>
            <form className="search-rec" role="search" onSubmit={(e) => { e.preventDefault(); find(-1); }}>
              <label className="inline" htmlFor="rec-search">Find in recording</label>
              <input id="rec-search" type="search" value={needle} onChange={(e) => { setNeedle(e.target.value); setHit(null); }} placeholder="text shown in the terminal" />
              <button type="submit" className="btn">Find</button>
              <button type="button" className="btn btn-quiet" disabled={!hit || hit.none} onClick={() => hit && find(hit.chunk)}>Next</button>
            </form>
          </div>
          <p className="muted small" aria-live="polite" data-testid="search-result">
            {hit?.none ? `No more matches for “${needle}”.` : hit ? `Match in chunk ${recording.chunks[hit.chunk]!.seq} at ${clock(recording.chunkAt[hit.chunk]!)}: the player is there.` : ""}
          </p>
          <Suspense fallback={<Loading label="Loading the player…" />}>
            <TerminalPlayer cast={recording.cast} cols={recording.width} rows={recording.height} speed={speed} markers={markers} seek={seek} title={`Terminal recording of pane ${pane}`} />
          </Suspense>
          <div className="two-col rec-cols">
            <div>
              <h3>Commands</h3>
              {recording.commands.length === 0 ? <p className="muted">No commands recorded: the shell hook (<code>sealtrail tmux shell-hook</code>) records each command line with its exit status.</p> : (
                <ol className="commands">
                  {recording.commands.map((c, i) => (
                    <li key={c.entrySeq} data-command={c.command}>
                      <button type="button" className="linklike" onClick={() => jump(recording.commandAt[i]!)}>
                        <span className="mono nowrap">{clock(recording.commandAt[i]!)}</span> <code>{c.command}</code>
                      </button>
                      <Badge tone={c.exitCode === 0 ? "ok" : "bad"}>exit {c.exitCode}</Badge>
                      <span className="muted small">{c.cwd}</span>
                    </li>
                  ))}
                </ol>
              )}
            </div>
            <VerifyRecording log={log} server={server} pane={pane} data={data} />
          </div>
        </>
      ) : null}
    </section>
  );
}

/** How far into chunk i its last frame plays: a search seeks there, so the match is on screen. */
function chunkSpan(recording: ReturnType<typeof buildRecording>, i: number): number {
  const c = recording.chunks[i]!;
  const lastFrame = c.frames.at(-1)?.[1] ?? 0;
  return lastFrame / 1e6;
}

function clock(seconds: number): string {
  const s = Math.floor(seconds);
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

type RecordingData = ResultOf<typeof RecordingQuery>;

function VerifyRecording({ log, server, pane, data }: { log: string; server: string; pane: string; data: RecordingData }) {
  const [verdicts, setVerdicts] = useState<ChunkVerdict[]>([]);
  const [status, setStatus] = useState<"idle" | "running" | "ok" | "failed">("idle");
  const [gaps, setGaps] = useState<GapProof[]>([]);
  const [error, setError] = useState<string>("");
  const chunks = data.paneRecording.chunks.map((c) => readFragment(RecordedEntryFields, c));
  async function run() {
    setStatus("running");
    setVerdicts([]);
    setError("");
    try {
      const proofs = await request(RecordingProofsQuery, { log, server, pane });
      const byEntry = new Map(proofs.paneRecording.chunks.map((c) => [Number(c.seq), c.inclusionProof]));
      const key = proofs.log?.verifierKey ?? data.log?.verifierKey ?? null;
      const all = await verifyChunks({ origin: data.log!.origin, verifierKey: key, leafVersion: data.log!.leafVersion }, chunks, byEntry, (v) => setVerdicts((vs) => [...vs, v]));
      setGaps(provableGaps(all));
      setStatus(all.every((v) => v.ok) ? "ok" : "failed");
    } catch (e) {
      setError((e as Error).message);
      setStatus("failed");
    }
  }
  const bad = verdicts.filter((v) => !v.ok);
  return (
    <section className="verify-rec" aria-labelledby="verify-rec-title">
      <div className="verify-head">
        <h3 id="verify-rec-title">Proof of this recording</h3>
        <button type="button" className="btn btn-primary" onClick={() => void run()} disabled={status === "running"}>{status === "running" ? `Verifying… ${verdicts.length}/${chunks.length}` : "Verify this recording"}</button>
      </div>
      <p className="muted small">Checks, in this browser, that each of the {count(chunks.length)} chunks played above is in the log the verifier key signed (payload and leaf hash, RFC 9162 inclusion path, Ed25519 checkpoint), and names every missing chunk between two proven ones.</p>
      {status === "ok" ? <div className="verdict verdict-ok" role="status" data-testid="recording-verdict">Verified: all {count(verdicts.length)} chunks are in the signed log{gaps.length === 0 ? ", with no gap in their sequence." : `; ${gaps.length} gap${gaps.length === 1 ? "" : "s"} below.`}</div> : null}
      {status === "failed" ? <div className="verdict verdict-bad" role="alert" data-testid="recording-verdict">Verification failed{bad.length > 0 ? `: ${bad.length} of ${verdicts.length} chunks do not verify` : ""}{error ? `: ${error}` : ""}. Report this recording to your security team.</div> : null}
      {gaps.length > 0 ? (
        <ul className="plain gaps" aria-label="Gaps in the recording">
          {gaps.map((g) => (
            <li key={g.from} data-gap={`${g.from}-${g.to}`}>
              <Badge tone="warn">gap</Badge> {g.from === g.to ? `Chunk ${g.from} is` : `Chunks ${g.from}–${g.to} are`} not in the log.{" "}
              <span className="muted small">
                {g.before ? `Chunk ${g.before.chunkSeq} (entry ${g.before.entrySeq}) before it ${g.before.ok ? "is proven" : "does not verify"}` : "It starts the stream"}; chunk {g.after?.chunkSeq} (entry {g.after?.entrySeq}) after it {g.after?.ok ? "is proven" : "does not verify"}: what lies between was never shipped or was removed.
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {bad.length > 0 ? (
        <ul className="plain">{bad.slice(0, 20).map((v) => <li key={v.entrySeq} className="small"><Badge tone="bad">chunk {v.chunkSeq}</Badge> entry {v.entrySeq}: {v.failure}</li>)}</ul>
      ) : null}
      {status !== "idle" ? (
        <div className="chunk-grid" aria-label="Chunks verified">
          {verdicts.map((v) => <span key={v.entrySeq} className={`chunk-dot ${v.ok ? "ok" : "bad"}`} title={`chunk ${v.chunkSeq}, entry ${v.entrySeq}: ${v.ok ? `proven at tree size ${v.treeSize}` : v.failure}`} data-chunk={v.chunkSeq} data-ok={String(v.ok)} />)}
        </div>
      ) : null}
    </section>
  );
}
