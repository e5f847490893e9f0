/**
 * Applications to join the waitlist, written with the service role (public.waitlist_entries has no
 * policy for anon or authenticated). One entry per lower-cased email, and the first one stays: a
 * second application for an address proves nothing about who sent it, so it neither overwrites the
 * first nor learns whether there was one. It gets the answer a first application would.
 * @module
 */
import type postgres from "postgres";
import { serviceReader } from "../db/client.ts";
import { takeForAddress } from "../limits/service.ts";
import type { WaitlistEntry, WaitlistRequest } from "./schemas.ts";

/** Stores the application unless its email applied before; the client's `address` is held to the limit first. */
export async function apply(application: WaitlistRequest, address: string): Promise<WaitlistEntry> {
  await takeForAddress("waitlist", address);
  const id = crypto.randomUUID();
  const { name, email, links, metadata } = application;
  const entry = {
    occupation: application.occupation ?? null,
    motivation: application.motivation ?? null,
    use_case: application.use_case ?? null,
    source: application.source ?? null,
    metadata: metadata ?? {},
  };
  // One statement: the insert, skipped on a known email, and the same answer either way.
  const [{ created_at }] = await serviceReader()((tx) =>
    tx<{ created_at: string }[]>`
      with stored as (
        insert into public.waitlist_entries
          (id, full_name, email, occupation, motivation, use_case, links, source, metadata)
        values (${id}, ${name}, ${email}, ${entry.occupation}, ${entry.motivation}, ${entry.use_case},
          ${links ?? []}::text[], ${entry.source}, ${tx.json(entry.metadata as postgres.JSONValue)})
        on conflict ((lower(email))) do nothing
      )
      select now() as created_at`
  );
  return { id, full_name: name, email, source: entry.source, metadata: entry.metadata, created_at };
}
