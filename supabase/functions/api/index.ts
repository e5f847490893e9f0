import { createApi, warmDatabase } from "../../../shared/api.ts";

const api = createApi();
warmDatabase();
Deno.serve(api.fetch);
