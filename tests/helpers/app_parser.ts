/**
 * The shapes the PocketLLM app's parsers need: every field a screen reads, with the type its Dart
 * model casts it to (`string?` may be null; anything else must be present and of that type). A field
 * the app does not read is not listed, so extra fields never fail a check.
 * @module
 */
import assert from "node:assert/strict";

type FieldType = "string" | "number" | "boolean" | "object" | "array";
export type Shape = Record<string, `${FieldType}` | `${FieldType}?`>;

function typeOf(value: unknown): FieldType | "null" | "undefined" {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as FieldType | "undefined";
}

/** Asserts that `value` parses as `shape` would; `where` names it in the failure. */
export function parses(value: unknown, shape: Shape, where: string): void {
  assert.equal(typeOf(value), "object", `${where}: an object`);
  for (const [field, spec] of Object.entries(shape)) {
    const nullable = spec.endsWith("?");
    const expected = spec.replace("?", "");
    const actual = typeOf((value as Record<string, unknown>)[field]);
    const ok = actual === expected || (nullable && actual === "null");
    assert.ok(ok, `${where}.${field}: the app needs ${spec}, got ${actual}`);
  }
}

export const USER: Shape = {
  id: "string",
  email: "string",
  full_name: "string?",
  created_at: "string",
  last_sign_in_at: "string?",
};
export const TOKENS: Shape = {
  access_token: "string",
  refresh_token: "string",
  token_type: "string",
  expires_in: "number",
};
export const SESSION: Shape = { session_id: "string?", expires_at: "string" };
export const ACCOUNT_STATUS: Shape = {
  deletion_scheduled: "boolean",
  deletion_canceled: "boolean",
  deletion_scheduled_for: "string?",
  deletion_requested_at: "string?",
};
export const PROFILE: Shape = {
  id: "string",
  email: "string",
  full_name: "string?",
  username: "string?",
  bio: "string?",
  date_of_birth: "string?",
  age: "number?",
  profession: "string?",
  heard_from: "string?",
  avatar_url: "string?",
  survey_completed: "boolean",
  onboarding: "object",
  preferences: "object",
  deletion_status: "string",
  deletion_requested_at: "string?",
  deletion_scheduled_for: "string?",
  created_at: "string",
  updated_at: "string",
};
export const PROVIDER: Shape = {
  id: "string",
  provider: "string",
  display_name: "string",
  base_url: "string?",
  metadata: "object",
  api_key_preview: "string?",
  is_active: "boolean",
  has_api_key: "boolean",
};
export const PROVIDER_STATUS: Shape = {
  provider: "string",
  display_name: "string",
  configured: "boolean",
  is_active: "boolean",
  has_api_key: "boolean",
  api_key_preview: "string?",
  message: "string",
};
export const MODELS_ENVELOPE: Shape = {
  models: "array",
  message: "string",
  configured_providers: "array",
  missing_providers: "array",
  using_fallback: "boolean",
};
export const PROVIDER_MODEL: Shape = {
  provider: "string",
  id: "string",
  name: "string",
  description: "string?",
  context_window: "number?",
  max_output_tokens: "number?",
  pricing: "object?",
  is_active: "boolean",
  metadata: "object",
};
export const MODEL_CONFIG: Shape = {
  id: "string",
  provider_id: "string?",
  provider: "string",
  name: "string",
  model: "string",
  display_name: "string?",
  description: "string?",
  is_default: "boolean",
  is_active: "boolean",
  settings: "object",
  created_at: "string",
  updated_at: "string",
};
export const MODEL_SETTINGS: Shape = {
  temperature: "number",
  max_tokens: "number",
  top_p: "number",
  frequency_penalty: "number",
  presence_penalty: "number",
  system_prompt: "string?",
  metadata: "object",
};
export const CHAT: Shape = {
  id: "string",
  user_id: "string",
  title: "string",
  model_config_id: "string?",
  created_at: "string",
  updated_at: "string",
};
export const MESSAGE: Shape = {
  id: "string",
  chat_id: "string",
  role: "string",
  content: "string",
  metadata: "object",
  created_at: "string",
};
/** The app shows the first string under error, message, detail, description. */
export const ERROR: Shape = { message: "string", code: "string" };
export const INVITE_VALIDITY: Shape = { valid: "boolean", status: "string", remaining_uses: "number" };
export const REFERRAL: Shape = {
  referral_id: "string",
  email: "string",
  full_name: "string?",
  status: "string",
  reward_status: "string",
  created_at: "string",
  accepted_at: "string?",
};
export const REFERRAL_STATS: Shape = {
  total_sent: "number",
  total_joined: "number",
  pending: "number",
  rewards_issued: "number",
};
export const REFERRAL_CENTRE: Shape = {
  invite_code: "string",
  max_uses: "number",
  uses_count: "number",
  remaining_uses: "number",
  invite_link: "string",
  share_message: "string",
  referrals: "array",
  stats: "object",
};
export const REFERRAL_SENT: Shape = { referral_id: "string", invite_code: "string", status: "string" };
export const NOTIFICATION: Shape = {
  id: "string",
  user_id: "string",
  type: "string",
  entity_id: "string?",
  content_summary: "string",
  data: "object?",
  is_read: "boolean",
  created_at: "string",
};
export const NOTIFICATION_PREFERENCES: Shape = {
  notify_job_status: "boolean",
  notify_account_alerts: "boolean",
  notify_referral_rewards: "boolean",
  notify_product_updates: "boolean",
};

/** The waitlist application the app's join screen reads back (API-LATER.md §8). */
export const WAITLIST_ENTRY: Shape = {
  id: "string",
  full_name: "string",
  email: "string",
  source: "string?",
  metadata: "object",
  created_at: "string",
};
