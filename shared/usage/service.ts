/**
 * The caller's usage (API.md "Usage"): the replies' token counts and costs, read from the assistant
 * messages' `metadata` (`usage`, `cost_usd`, `model`, `provider`, written by shared/chats/replies.ts)
 * and added up in Postgres, in the caller's transaction (RLS applies). A deleted chat's replies no
 * longer count.
 * @module
 */
import type { Reader } from "../db/client.ts";
import { unprocessable } from "../errors/api-error.ts";
import type { GroupBy, UsageQuery, UsageReport } from "./schemas.ts";

const DEFAULT_DAYS = 30;
const DAY_MS = 86_400_000;

/** The period asked for: `to` defaults to now, `from` to 30 days before `to`. */
export function period(query: Pick<UsageQuery, "from" | "to">, now = new Date()): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_DAYS * DAY_MS);
  if (!(from < to)) {
    throw unprocessable("invalid_period", "from: must be before to.");
  }
  return { from, to };
}

interface Row {
  total: boolean;
  key: string | null;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
}

/** A number from the metadata, 0 when it is missing or not a number (metadata is the client's too). */
const numberAt = (path: string) =>
  `case when jsonb_typeof(m.metadata #> '${path}') = 'number'
  then (m.metadata #>> '${path}')::float8 else 0 end`;

const KEYS: Record<GroupBy, string> = {
  day: `to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD')`,
  model: `coalesce(m.metadata ->> 'model', 'unknown')`,
  provider: `coalesce(m.metadata ->> 'provider', 'unknown')`,
};

/** The caller's replies in the period, totalled and grouped (one statement, grouping sets). */
export async function usageReport(read: Reader, userId: string, query: UsageQuery): Promise<UsageReport> {
  const { from, to } = period(query);
  const rows = await read((tx) =>
    tx<Row[]>`
      select grouping(r.key) = 1 as total, r.key, count(*)::int as requests,
             coalesce(sum(r.prompt_tokens), 0)::float8 as prompt_tokens,
             coalesce(sum(r.completion_tokens), 0)::float8 as completion_tokens,
             coalesce(round(sum(r.cost_usd)::numeric, 8), 0)::float8 as cost_usd
      from (
        select ${tx.unsafe(KEYS[query.group_by])} as key,
               ${tx.unsafe(numberAt("{usage,prompt_tokens}"))} as prompt_tokens,
               ${tx.unsafe(numberAt("{usage,completion_tokens}"))} as completion_tokens,
               ${tx.unsafe(numberAt("{cost_usd}"))} as cost_usd
        from public.messages m join public.chats c on c.id = m.chat_id
        where c.user_id = ${userId} and m.role = 'assistant' and m.metadata ? 'usage'
          and m.created_at >= ${from} and m.created_at < ${to}
      ) r
      group by grouping sets ((r.key), ())
      order by total, r.key`
  );
  const figures = ({ requests, prompt_tokens, completion_tokens, cost_usd }: Row) => ({
    requests,
    prompt_tokens,
    completion_tokens,
    cost_usd,
  });
  const totals = rows.find((row) => row.total)!;
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    totals: figures(totals),
    groups: rows.filter((row) => !row.total).map((row) => ({ key: row.key ?? "unknown", ...figures(row) })),
  };
}
