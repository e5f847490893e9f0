/**
 * Supabase Storage's contract through supabase-js: buckets with the service key, objects under RLS
 * (each user only in their own `<uid>/` folder), signed URLs, limits, and Storage's error shapes.
 */
import assert from "node:assert/strict";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import * as jose from "jose";
import { importSigningKey, SIGNING_JWK } from "../../stack/keys.ts";
import { db, env } from "../helpers/env.ts";

const storageUrl = `${env.url}/storage/v1`;
const clientOptions = { auth: { persistSession: false, autoRefreshToken: false } };
const service = createClient(env.url, env.serviceRoleKey, clientOptions);
const anon = createClient(env.url, env.anonKey, clientOptions);

interface TestUser {
  id: string;
  token: string;
  client: SupabaseClient;
}

/** A user access token as GoTrue would mint it (the Auth server is not needed for Storage). */
async function newUser(): Promise<TestUser> {
  const id = crypto.randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const token = await new jose.SignJWT({
    role: "authenticated",
    aud: "authenticated",
    email: `${id}@example.test`,
    phone: "",
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: {},
    aal: "aal1",
    amr: [{ method: "password", timestamp: now }],
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  })
    .setProtectedHeader({ alg: "ES256", typ: "JWT", kid: SIGNING_JWK.kid })
    .setIssuer(`${env.url}/auth/v1`)
    .setSubject(id)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(await importSigningKey());
  const client = createClient(env.url, env.anonKey, {
    ...clientOptions,
    global: { headers: { Authorization: `Bearer ${token}` } },
  });
  return { id, token, client };
}

/** The `statusCode` Storage put in the error body (the HTTP status is 400 for all but 500s). */
function statusCodeOf(error: unknown): string | undefined {
  return (error as { statusCode?: string } | null)?.statusCode;
}

/**
 * Runs policy DDL on storage.objects one session at a time: two concurrent CREATE/DROP POLICY on the
 * same table can deadlock each other (parallel test runs do exactly that).
 */
async function changePolicies(sql: ReturnType<typeof db>, ddl: string) {
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('tests/platform/storage_test policies'))`;
    await tx.unsafe(ddl);
  });
}

/** A private bucket where authenticated users may only touch their own `<uid>/...` folder. */
async function withBucket(
  options: { fileSizeLimit?: number; allowedMimeTypes?: string[] },
  run: (bucket: string) => Promise<void>,
) {
  const bucket = `test-${crypto.randomUUID().slice(0, 8)}`;
  const sql = db();
  const ownFolder = `bucket_id = '${bucket}' and (storage.foldername(name))[1] = (select auth.uid())::text`;
  try {
    const created = await service.storage.createBucket(bucket, { public: false, ...options });
    assert.equal(created.error, null);
    assert.deepEqual(created.data, { name: bucket });
    await changePolicies(
      sql,
      `create policy "${bucket} own folder" on storage.objects for all to authenticated
        using (${ownFolder}) with check (${ownFolder})`,
    );
    await run(bucket);
  } finally {
    await changePolicies(sql, `drop policy if exists "${bucket} own folder" on storage.objects`);
    await sql.end();
    assert.equal((await service.storage.emptyBucket(bucket)).error, null);
    assert.equal((await service.storage.deleteBucket(bucket)).error, null);
  }
}

Deno.test("buckets: the service key creates, reads, lists and deletes; others are refused", async () => {
  await withBucket({}, async (bucket) => {
    const { data: info } = await service.storage.getBucket(bucket);
    assert.equal(info?.id, bucket);
    assert.equal(info?.public, false);
    const { data: all } = await service.storage.listBuckets();
    assert.ok(all?.some((b) => b.id === bucket));

    const duplicate = await service.storage.createBucket(bucket);
    assert.equal(statusCodeOf(duplicate.error), "409");
    const byAnon = await anon.storage.createBucket(`${bucket}-anon`);
    assert.equal(statusCodeOf(byAnon.error), "403");
    assert.equal(byAnon.error?.message, "new row violates row-level security policy");
    const { data: seenByAnon } = await anon.storage.listBuckets();
    assert.deepEqual(seenByAnon, []);

    await service.storage.from(bucket).upload("keep.txt", "x");
    const notEmpty = await service.storage.deleteBucket(bucket);
    assert.equal(statusCodeOf(notEmpty.error), "409");
  });
  const missing = await service.storage.getBucket(`missing-${crypto.randomUUID()}`);
  assert.equal(statusCodeOf(missing.error), "404");
});

Deno.test("objects: a user uploads, upserts, lists, downloads and removes in their own folder", async () => {
  await withBucket({}, async (bucket) => {
    const alice = await newUser();
    const files = alice.client.storage.from(bucket);
    const notePath = `${alice.id}/notes/hello.txt`;

    const uploaded = await files.upload(notePath, "first version", { contentType: "text/plain" });
    assert.equal(uploaded.error, null);
    assert.equal(uploaded.data?.path, notePath);
    assert.equal(uploaded.data?.fullPath, `${bucket}/${notePath}`);
    assert.match(uploaded.data?.id ?? "", /^[0-9a-f-]{36}$/);

    const again = await files.upload(notePath, "clash");
    assert.equal(statusCodeOf(again.error), "409");
    assert.equal((await files.upload(notePath, "second version", { upsert: true })).error, null);
    assert.equal(await (await files.download(notePath)).data?.text(), "second version");
    assert.equal((await files.update(notePath, "third version")).error, null);
    assert.equal(await (await files.download(notePath)).data?.text(), "third version");

    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256);
    const blob = new Blob([bytes], { type: "application/octet-stream" });
    assert.equal((await files.upload(`${alice.id}/blob.bin`, blob)).error, null);
    const downloaded = await files.download(`${alice.id}/blob.bin`);
    assert.deepEqual(new Uint8Array(await downloaded.data!.arrayBuffer()), bytes);

    const { data: top } = await files.list(alice.id);
    assert.deepEqual(top?.map((entry) => [entry.name, entry.id === null]), [["notes", true], [
      "blob.bin",
      false,
    ]]);
    assert.equal(top?.[1].metadata?.size, 70_000);
    const { data: notes } = await files.list(`${alice.id}/notes`);
    assert.deepEqual(notes?.map((entry) => entry.name), ["hello.txt"]);
    assert.equal(notes?.[0].metadata?.mimetype, "text/plain;charset=UTF-8");

    const removed = await files.remove([notePath, `${alice.id}/blob.bin`]);
    assert.deepEqual(removed.data?.map((row) => row.name).sort(), [`${alice.id}/blob.bin`, notePath]);
    const gone = await files.download(notePath);
    assert.equal(statusCodeOf(gone.error), "404");
  });
});

Deno.test("signed URLs download without credentials, only for the signed path and until expiry", async () => {
  await withBucket({}, async (bucket) => {
    const alice = await newUser();
    const files = alice.client.storage.from(bucket);
    const path = `${alice.id}/report.json`;
    await files.upload(path, JSON.stringify({ ok: true }), { contentType: "application/json" });
    await files.upload(`${alice.id}/other.txt`, "other");

    const { data, error } = await files.createSignedUrl(path, 60);
    assert.equal(error, null);
    const response = await fetch(data!.signedUrl);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.deepEqual(await response.json(), { ok: true });

    const token = new URL(data!.signedUrl).searchParams.get("token");
    const elsewhere = await fetch(`${storageUrl}/object/sign/${bucket}/${alice.id}/other.txt?token=${token}`);
    assert.equal(elsewhere.status, 400);
    assert.equal((await elsewhere.json()).error, "InvalidSignature");
    const tampered = await fetch(`${storageUrl}/object/sign/${bucket}/${path}?token=${token}x`);
    assert.equal(tampered.status, 400);
    assert.equal((await tampered.json()).error, "InvalidJWT");

    const { data: expiring } = await files.createSignedUrl(path, 1);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const expired = await fetch(expiring!.signedUrl);
    assert.equal(expired.status, 400);
    assert.equal((await expired.json()).message, "jwt expired");

    const { data: many } = await files.createSignedUrls([path, `${alice.id}/missing.txt`], 60);
    assert.ok(many?.[0].signedUrl);
    assert.equal(many?.[1].signedUrl, null);
  });
});

Deno.test("RLS: another user's objects stay invisible and anon is refused", async () => {
  await withBucket({}, async (bucket) => {
    const [alice, bob] = [await newUser(), await newUser()];
    const path = `${alice.id}/private.txt`;
    assert.equal((await alice.client.storage.from(bucket).upload(path, "alice only")).error, null);
    const asBob = bob.client.storage.from(bucket);

    const read = await asBob.download(path);
    assert.equal(read.error?.status, 400);
    assert.equal(statusCodeOf(read.error), "404");
    assert.deepEqual((await asBob.list(alice.id)).data, []);
    assert.equal(statusCodeOf((await asBob.createSignedUrl(path, 60)).error), "404");
    const write = await asBob.upload(`${alice.id}/planted.txt`, "bob was here");
    assert.equal(statusCodeOf(write.error), "403");
    assert.equal(write.error?.message, "new row violates row-level security policy");
    assert.deepEqual((await asBob.remove([path])).data, []);
    assert.equal(await (await alice.client.storage.from(bucket).download(path)).data?.text(), "alice only");

    const asAnon = anon.storage.from(bucket);
    assert.equal(statusCodeOf((await asAnon.download(path)).error), "404");
    assert.equal(statusCodeOf((await asAnon.upload("anon.txt", "no")).error), "403");
    assert.deepEqual((await asAnon.list(alice.id)).data, []);

    const noCredential = await fetch(`${storageUrl}/object/authenticated/${bucket}/${path}`);
    assert.equal(noCredential.status, 400);
    assert.equal((await noCredential.json()).statusCode, "403");
  });
});

Deno.test("errors have Storage's shape; size and mime-type limits are enforced", async () => {
  await withBucket({ fileSizeLimit: 1024, allowedMimeTypes: ["text/*"] }, async (bucket) => {
    const missing = await fetch(`${storageUrl}/object/authenticated/${bucket}/nothing/here.txt`, {
      headers: { authorization: `Bearer ${env.serviceRoleKey}` },
    });
    assert.equal(missing.status, 400);
    assert.deepEqual(await missing.json(), {
      statusCode: "404",
      code: "NoSuchKey",
      error: "not_found",
      message: "Object not found",
    });

    const files = service.storage.from(bucket);
    assert.equal((await files.upload("small.txt", "a".repeat(1024))).error, null);
    const big = await files.upload("big.txt", "a".repeat(1025));
    assert.equal(statusCodeOf(big.error), "413");
    const image = await files.upload("pic.png", new Uint8Array([1, 2, 3]), { contentType: "image/png" });
    assert.equal(statusCodeOf(image.error), "415");
    const badKey = await files.upload("bad<name>.txt", "x");
    assert.equal(statusCodeOf(badKey.error), "400");
  });
});

Deno.test("public objects: served without a key from a public bucket, refused from a private one", async () => {
  const bucket = `public-${crypto.randomUUID().slice(0, 8)}`;
  try {
    assert.equal((await service.storage.createBucket(bucket, { public: true })).error, null);
    assert.equal(
      (await service.storage.from(bucket).upload("a/b.txt", "open", { contentType: "text/plain" })).error,
      null,
    );
    const { publicUrl } = service.storage.from(bucket).getPublicUrl("a/b.txt").data;
    assert.equal(publicUrl, `${storageUrl}/object/public/${bucket}/a/b.txt`);
    const open = await fetch(publicUrl);
    assert.equal(open.status, 200);
    assert.equal(open.headers.get("content-type"), "text/plain");
    assert.equal(await open.text(), "open");
    const missing = await fetch(`${storageUrl}/object/public/${bucket}/a/none.txt`);
    assert.equal(missing.status, 400);
    assert.equal((await missing.json()).statusCode, "404");

    await withBucket({}, async (privateBucket) => {
      await service.storage.from(privateBucket).upload("x/secret.txt", "closed");
      const refused = await fetch(`${storageUrl}/object/public/${privateBucket}/x/secret.txt`);
      assert.equal(refused.status, 400);
      const body = await refused.json();
      assert.equal(body.statusCode, "404");
      assert.doesNotMatch(JSON.stringify(body), /closed/);
    });
  } finally {
    await service.storage.emptyBucket(bucket);
    await service.storage.deleteBucket(bucket);
  }
});
