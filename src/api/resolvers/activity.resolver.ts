import { Arg, Authorized, Ctx, Int, Query, Resolver } from "type-graphql";
import { ApiError } from "../api-error.js";
import { db } from "../auth-checker.js";
import type { ApiContext } from "../context.js";
import { DayKindCount } from "../types/day-count.type.js";

const DAY_MS = 86_400_000;
const MAX_DAYS = 366;

@Resolver()
export class ActivityResolver {
  // Counts reveal activity: the same scope as the entries, and recorded as a read like them.
  @Authorized("events:read")
  @Query(() => [DayKindCount], { description: "Entries a log recorded per UTC day and kind over the last `days` days (today included), by day then kind; days without entries are absent.", complexity: 50 })
  async eventsPerDay(
    @Arg("log", () => String) logName: string,
    @Arg("days", () => Int, { description: "1–366." }) days: number,
    @Ctx() ctx: ApiContext,
  ): Promise<DayKindCount[]> {
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw new ApiError("BAD_USER_INPUT", `days: got ${days}, want 1–${MAX_DAYS}`);
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const since = new Date(today - (days - 1) * DAY_MS);
    const rows = await db(ctx).use(async (tx) => tx.eventsPerDay((await tx.findLog(logName)).id, since));
    ctx.rows.count += rows.length;
    return rows.map((r) => Object.assign(new DayKindCount(), r));
  }
}
