/**
 * Headers every answer carries against content sniffing, and the content security policy of the HTML
 * pages (the landing page, the interactive docs): no script but the docs' own, nothing framed, no
 * form posted anywhere.
 * @module
 */
import { Buffer } from "node:buffer";
import { createMiddleware } from "hono/factory";

const BASE_POLICY = ["base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"];

/** The policy of a page with no script: inline styles and local images only. */
export const STATIC_PAGE_POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  ...BASE_POLICY,
].join("; ");

const isHtml = (response: Response) => /^text\/html\b/i.test(response.headers.get("content-type") ?? "");

/** `nosniff` on every answer; the static page policy on HTML that set no policy of its own. */
export const securityHeaders = createMiddleware(async (c, next) => {
  await next();
  c.res.headers.set("X-Content-Type-Options", "nosniff");
  if (isHtml(c.res) && !c.res.headers.has("Content-Security-Policy")) {
    c.res.headers.set("Content-Security-Policy", STATIC_PAGE_POLICY);
  }
});

/** The hashes (CSP `'sha256-...'`) of a page's inline scripts. */
export async function inlineScriptHashes(html: string): Promise<string[]> {
  const scripts = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => m[1]);
  const digests = await Promise.all(
    scripts.map((script) => crypto.subtle.digest("SHA-256", new TextEncoder().encode(script))),
  );
  return digests.map((digest) => `'sha256-${Buffer.from(digest).toString("base64")}'`);
}

/**
 * The interactive docs' policy: Swagger UI's script and styles from its CDN, its one inline script
 * by hash, the OpenAPI document fetched from this origin.
 */
export const docsPolicy = (cdn: string) =>
  createMiddleware(async (c, next) => {
    await next();
    const html = await c.res.clone().text();
    const scripts = [`'self'`, cdn, ...await inlineScriptHashes(html)].join(" ");
    c.res.headers.set(
      "Content-Security-Policy",
      [
        "default-src 'none'",
        `script-src ${scripts}`,
        `style-src ${cdn} 'unsafe-inline'`,
        `img-src 'self' data: ${cdn}`,
        "connect-src 'self'",
        ...BASE_POLICY,
      ].join("; "),
    );
  });
