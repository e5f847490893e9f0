import { createApiApp } from "../../../shared/http/api-app.ts";

Deno.serve(createApiApp().fetch);
