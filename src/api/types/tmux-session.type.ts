import { Field, Int, ObjectType } from "type-graphql";
import { BigIntScalar, DateTimeScalar } from "../scalars.js";
import { Event } from "./event.type.js";

@ObjectType({ description: "A recorded tmux session: the tmux.session, tmux.command and tmux.output entries of one tmux server run and session name in a log." })
export class TmuxSession {
  @Field(() => String)
  log!: string;

  @Field(() => String, { description: "The tmux server run (start time and pid) the session was recorded in." })
  server!: string;

  @Field(() => String, { description: "The session's name." })
  session!: string;

  @Field(() => String, { nullable: true, description: "tmux's id of the session ($n)." })
  sessionId!: string | null;

  @Field(() => String, { nullable: true })
  host!: string | null;

  @Field(() => String, { description: "Who the capture ran as (the entries' actor)." })
  user!: string;

  @Field(() => DateTimeScalar, { description: "The first entry's time, by the capture host's clock." })
  startedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the session closed; null while no session.close was recorded." })
  endedAt!: Date | null;

  @Field(() => DateTimeScalar, { description: "The last entry's time." })
  lastAt!: Date;

  @Field(() => [String], { description: "Panes with recorded output or commands (%n)." })
  panes!: string[];

  @Field(() => Int, { description: "Command lines recorded by the shell hook." })
  commands!: number;

  @Field(() => Int, { description: "Output chunks recorded." })
  chunks!: number;
}

@ObjectType({ description: "A gap in a pane's chunk seqs: chunks from..to (inclusive) are not in the log." })
export class ChunkGap {
  @Field(() => BigIntScalar)
  from!: number;

  @Field(() => BigIntScalar)
  to!: number;
}

@ObjectType({ description: "One pane's recording: its output chunks in chunk seq order and its command records, each a verifiable entry." })
export class PaneRecording {
  @Field(() => String)
  log!: string;

  @Field(() => String)
  server!: string;

  @Field(() => String)
  pane!: string;

  @Field(() => [Event], { description: "tmux.output entries by chunk seq; payload.data is the exact bytes (base64)." })
  chunks!: Event[];

  @Field(() => [Event], { description: "tmux.command entries of the pane, by time; payload.exitCode is the status." })
  commands!: Event[];

  @Field(() => [ChunkGap], { description: "Chunk seqs missing between 0 and the last chunk: never shipped, or removed." })
  gaps!: ChunkGap[];

  @Field(() => Boolean, { description: "False when the recording has more chunks than one answer holds (the first ones are served)." })
  complete!: boolean;
}
