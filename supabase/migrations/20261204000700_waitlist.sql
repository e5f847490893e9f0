-- =====================================================================================================
-- PocketLLM: the waitlist (API-LATER.md §8). Applications to join, sent without signing in through
-- POST /v1/waitlist, which writes them with the service role. One entry per lower-cased email: a
-- second application for an address never overwrites the first (nothing proves the sender owns the
-- address), so the API inserts with ON CONFLICT DO NOTHING. Row level security is on and there is no
-- policy and no grant for anon or authenticated: the Data API can neither read nor write an entry.
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- TABLE
-- -----------------------------------------------------------------------------------------------------

create table if not exists public.waitlist_entries (
  -- ID
  id uuid primary key default gen_random_uuid(),

  -- REQUIRED
  full_name text not null,
  email text not null,

  -- OPTIONAL
  occupation text,
  motivation text,
  use_case text,
  links text[] not null default '{}',
  source text,
  metadata jsonb not null default '{}'::jsonb,

  -- METADATA
  created_at timestamptz not null default now(),

  constraint waitlist_entries_full_name_length check (char_length(full_name) between 1 and 120),
  constraint waitlist_entries_email_length check (char_length(email) between 3 and 255),
  constraint waitlist_entries_occupation_length check (char_length(occupation) <= 120),
  constraint waitlist_entries_motivation_length check (char_length(motivation) <= 800),
  constraint waitlist_entries_use_case_length check (char_length(use_case) <= 800),
  -- At most 10 links of at most 2048 characters each (the API checks each; this bounds the total).
  constraint waitlist_entries_links_count check (cardinality(links) <= 10),
  constraint waitlist_entries_links_length check (char_length(array_to_string(links, '')) <= 20480),
  constraint waitlist_entries_source_length check (char_length(source) <= 120),
  constraint waitlist_entries_metadata_is_object check (jsonb_typeof(metadata) = 'object'),
  -- The API holds metadata to 4 KB of compact JSON; jsonb's text form adds spaces, so the backstop is wider.
  constraint waitlist_entries_metadata_size check (octet_length(metadata::text) <= 8192)
);

comment on table public.waitlist_entries is
  'Applications to join the waitlist (POST /v1/waitlist, service role only); one per lower-cased email, never overwritten.';

-- -----------------------------------------------------------------------------------------------------
-- INDEXES
-- -----------------------------------------------------------------------------------------------------

create unique index if not exists waitlist_entries_email_key on public.waitlist_entries (lower(email));

-- -----------------------------------------------------------------------------------------------------
-- RLS: on, with no policy, so only the service role (which bypasses it) reaches the rows.
-- -----------------------------------------------------------------------------------------------------

alter table public.waitlist_entries enable row level security;

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke all on table public.waitlist_entries from public, anon, authenticated;
grant select, insert on table public.waitlist_entries to service_role;
