import { createWorkerApp } from "../../../shared/jobs/worker-app.ts";

Deno.serve(createWorkerApp().fetch);
