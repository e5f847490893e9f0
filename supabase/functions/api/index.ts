import { createApi } from "../../../shared/api.ts";

Deno.serve(createApi().fetch);
