/** Whether the client's `Accept` header names HTML before JSON (a browser, not the app). */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = accept.indexOf("text/html"), json = accept.indexOf("application/json");
  return html >= 0 && (json < 0 || html < json);
}
