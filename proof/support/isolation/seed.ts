/**
 * A proof user with real data, all made through the API: three providers activated against local
 * fakes (keys kept to scan for), an imported default model, chats with user and assistant messages, a
 * profile bio, and image jobs (one completed, one failed). Every id and a unique marker are kept so a
 * response of the other user can be searched for them.
 * @module
 */
import { formWith } from "../../../tests/helpers/files.ts";
import { signUpUser, type TestUser } from "../../../tests/helpers/api.ts";
import { db } from "../../../tests/helpers/env.ts";
import type { FakeImages } from "../../../tests/helpers/fake_images.ts";
import type { FakeLlm } from "../../../tests/helpers/fake_llm.ts";
import type { FakeProvider } from "../../../tests/helpers/fake_providers.ts";
import { waitForJob } from "../../../tests/helpers/jobs.ts";
import { activateFake, testKey } from "../../../tests/helpers/providers.ts";
import type { Recorder } from "./recorder.ts";

export interface Fakes {
  llm: FakeLlm;
  images: FakeImages;
  groq: FakeProvider;
}

export interface SeededUser {
  user: TestUser;
  /** Appears in this user's titles, messages, bio and prompts, nowhere else. */
  marker: string;
  providerKeys: string[];
  providers: string[];
  /** A fake that accepts any key (for bodies that activate a provider). */
  providerBaseUrl: string;
  providerRowIds: string[];
  modelIds: string[];
  chatIds: string[];
  messageIds: string[];
  jobIds: string[];
  inviteCode: string;
  referralIds: string[];
  notificationIds: string[];
  attachmentIds: string[];
  /** Shares made public on purpose: anyone may read them. */
  publicShareIds: string[];
  /** Shares made and revoked: their links must answer 404. */
  revokedShareIds: string[];
}

// deno-lint-ignore no-explicit-any
function expectOk(what: string, result: { status: number; body: any }) {
  if (result.status >= 300) throw new Error(`${what}: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body;
}

export async function seedUser(rec: Recorder, fakes: Fakes, tag: string): Promise<SeededUser> {
  const user = await signUpUser(`Proof ${tag}`);
  const seeded: SeededUser = {
    user,
    marker: `marker-${tag}-${crypto.randomUUID()}`,
    providerKeys: [],
    providers: ["openai", "groq", "openai_compatible"],
    providerBaseUrl: fakes.images.baseUrl,
    providerRowIds: [],
    modelIds: [],
    chatIds: [],
    messageIds: [],
    jobIds: [],
    inviteCode: "",
    referralIds: [],
    notificationIds: [],
    attachmentIds: [],
    publicShareIds: [],
    revokedShareIds: [],
  };
  await rec.call("/v1/users/profile", { method: "PUT", token: user.token, body: { bio: seeded.marker } });
  await rec.call("/v1/waitlist", { method: "POST", body: { name: `Proof ${tag}`, email: user.email } });
  await activateProviders(rec, fakes, seeded);
  await importModel(rec, seeded);
  await addChats(rec, seeded);
  await addShares(rec, seeded);
  await addJobs(rec, fakes.images, seeded);
  await addReferralsAndNotifications(rec, seeded);
  await addFiles(rec, seeded);
  return seeded;
}

async function activateProviders(rec: Recorder, fakes: Fakes, seeded: SeededUser) {
  const token = seeded.user.token;
  const activations: [string, string][] = [["openai", fakes.llm.baseUrl], [
    "openai_compatible",
    fakes.images.baseUrl,
  ]];
  for (const [provider, baseUrl] of activations) {
    const apiKey = testKey(`sk-proof-${provider}-`);
    seeded.providerKeys.push(apiKey);
    const body = { provider, api_key: apiKey, base_url: baseUrl };
    const result = await rec.call("/v1/providers/activate", { method: "POST", token, body });
    seeded.providerRowIds.push(
      (expectOk(`activate ${provider}`, result) as { provider: { id: string } }).provider.id,
    );
  }
  const apiKey = testKey("sk-proof-groq-");
  seeded.providerKeys.push(apiKey);
  const groq = rec.record(
    "POST /v1/providers/activate groq",
    await activateFake(token, fakes.groq, { apiKey }),
  );
  seeded.providerRowIds.push(expectOk("activate groq", groq).provider.id);
}

async function importModel(rec: Recorder, seeded: SeededUser) {
  const token = seeded.user.token;
  const body = { provider: "openai", models: ["fake-model", "fake-small"] };
  const imported = expectOk("import", await rec.call("/v1/models/import", { method: "POST", token, body }));
  seeded.modelIds.push(...(imported as { id: string }[]).map((model) => model.id));
  const path = `/v1/models/${seeded.modelIds[0]}/default`;
  expectOk("default", await rec.call(path, { method: "POST", token, body: {} }));
}

async function addChats(rec: Recorder, seeded: SeededUser) {
  const token = seeded.user.token;
  for (const index of [1, 2]) {
    const body = { title: `${seeded.marker} chat ${index}`, model_config_id: seeded.modelIds[0] };
    const chat = expectOk("chat", await rec.call("/v1/chats", { method: "POST", token, body })) as {
      id: string;
    };
    seeded.chatIds.push(chat.id);
    const content = `${seeded.marker} question ${index}`;
    const path = `/v1/chats/${chat.id}/messages`;
    expectOk("message", await rec.call(path, { method: "POST", token, body: { content } }));
    const messages = expectOk("messages", await rec.call(path, { token })) as { id: string }[];
    seeded.messageIds.push(...messages.map((message) => message.id));
  }
}

/** The first chat shared (public on purpose), the second shared and revoked. */
async function addShares(rec: Recorder, seeded: SeededUser) {
  const token = seeded.user.token;
  const [published, revoked] = seeded.chatIds.map((id) => `/v1/chats/${id}/share`);
  const made = expectOk("share", await rec.call(published, { method: "POST", token })) as {
    share_id: string;
  };
  seeded.publicShareIds.push(made.share_id);
  const gone = expectOk("share", await rec.call(revoked, { method: "POST", token })) as { share_id: string };
  seeded.revokedShareIds.push(gone.share_id);
  await rec.call(revoked, { method: "DELETE", token });
}

async function addJobs(rec: Recorder, images: FakeImages, seeded: SeededUser) {
  images.script({}, { status: 400, message: "fake refusal" });
  for (const index of [1, 2]) {
    const input_data = {
      prompt: `${seeded.marker} image ${index}`,
      provider: "openai_compatible",
      model: "dall-e-3",
    };
    const body = { job_type: "image_generation", input_data };
    const path = "/v1/jobs/image-generation";
    const job = expectOk("job", await rec.call(path, { method: "POST", token: seeded.user.token, body }));
    seeded.jobIds.push((job as { job_id: string }).job_id);
    await settle(seeded.jobIds.at(-1)!);
  }
}

/** An invitation (to an address carrying the marker), the user's code, switches, the jobs' notifications. */
async function addReferralsAndNotifications(rec: Recorder, seeded: SeededUser) {
  const token = seeded.user.token;
  const email = `${seeded.marker}@example.test`;
  const sent = await rec.call("/v1/referral/send", { method: "POST", token, body: { email } });
  seeded.referralIds.push((expectOk("referral", sent) as { referral_id: string }).referral_id);
  const centre = expectOk("referral list", await rec.call("/v1/referral/list", { token }));
  seeded.inviteCode = (centre as { invite_code: string }).invite_code;
  const body = { notify_product_updates: false };
  expectOk("preferences", await rec.call("/v1/notification-preferences", { method: "PUT", token, body }));
  const notes = expectOk("notifications", await rec.call("/v1/notifications", { token })) as { id: string }[];
  if (notes.length === 0) throw new Error("the seeded jobs made no notifications");
  seeded.notificationIds.push(...notes.map((note) => note.id));
}

/** An avatar, and a text attachment in the first chat (private, under the user's folder). */
async function addFiles(rec: Recorder, seeded: SeededUser) {
  const token = seeded.user.token;
  const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0);
  const avatar = formWith(png, "me.png");
  expectOk("avatar", await rec.call("/v1/users/profile/avatar", { method: "POST", token, body: avatar }));
  const text = formWith(new TextEncoder().encode(`${seeded.marker} notes`), "notes.txt", {
    chat_id: seeded.chatIds[0],
  });
  const attachment = expectOk(
    "attachment",
    await rec.call("/v1/attachments", { method: "POST", token, body: text }),
  );
  seeded.attachmentIds.push((attachment as { id: string }).id);
}

/** Waits until the stack's worker has finished the job, so the before/after snapshots are stable. */
async function settle(jobId: string) {
  const sql = db();
  try {
    await waitForJob(sql, jobId, "finished", (row) => ["completed", "failed"].includes(row.status), 30_000);
  } finally {
    await sql.end();
  }
}

/** Every string of `seeded` that must never reach another user. */
export function secretsOf(seeded: SeededUser): string[] {
  return [
    seeded.user.id,
    seeded.user.email,
    seeded.marker,
    ...seeded.providerKeys,
    ...seeded.providerRowIds,
    ...seeded.modelIds,
    ...seeded.chatIds,
    ...seeded.messageIds,
    ...seeded.jobIds,
    seeded.inviteCode,
    ...seeded.referralIds,
    ...seeded.notificationIds,
    ...seeded.attachmentIds,
    ...seeded.publicShareIds,
    ...seeded.revokedShareIds,
  ];
}
