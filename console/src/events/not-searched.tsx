import type { ResultOf } from "../graphql";
import type { EventsPageQuery } from "./documents";

export type NotSearched = ResultOf<typeof EventsPageQuery>["events"]["notSearched"][number];

const WHY = {
  filter_not_indexed: "archived entries are searched by text, actor or resource only",
  index_not_kept: "archived without its search index",
} as const;

/**
 * The archived ranges a search did not look at (docs/api.md, "Searching archived entries"): said
 * beside the rows, so that an empty or short result is not read as "nothing happened".
 */
export function NotSearchedNotice({ ranges }: { ranges: readonly NotSearched[] }) {
  return (
    <div className="notice" role="note" data-testid="not-searched">
      <strong>Not searched:</strong> {ranges.length === 1 ? "one archived range" : `${ranges.length} archived ranges`} of these logs.
      <ul>
        {ranges.map((r) => (
          <li key={`${r.log}:${r.from}`}>
            {r.log}, entries {Number(r.from).toLocaleString("en-US")}–{(Number(r.to) - 1).toLocaleString("en-US")}: {WHY[r.reason]}
          </li>
        ))}
      </ul>
    </div>
  );
}
