import { createWorkerApp } from "../../../shared/worker.ts";

Deno.serve(createWorkerApp().fetch);
