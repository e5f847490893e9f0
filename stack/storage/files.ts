/**
 * Where object bytes live: `<stateDir>/storage/<bucket>/<name>/<version>`, one file per version like
 * storage-api's file backend, so an upsert never overwrites the bytes a reader is streaming and an
 * object `a` can coexist with `a/b`. Uploads are staged first and moved into place only once the
 * database accepted them.
 * @module
 */
import { dirname, join, resolve, sep } from "node:path";
import { errors } from "./errors.ts";

/** An upload written to the staging folder, not visible yet. */
export interface StagedFile {
  path: string;
}

function isMissing(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound;
}

/** The object store on disk. */
export class ObjectFiles {
  readonly #root: string;
  readonly #staging: string;

  constructor(stateDir: string) {
    this.#root = resolve(stateDir, "storage");
    this.#staging = resolve(stateDir, "storage-staging");
  }

  /** Keys are validated before they get here; this is the last guard against leaving the store. */
  #objectDir(bucket: string, name: string): string {
    const dir = resolve(this.#root, bucket, ...name.split("/"));
    if (!dir.startsWith(this.#root + sep)) throw errors.invalidKey(name);
    return dir;
  }

  async stage(bytes: Uint8Array): Promise<StagedFile> {
    await Deno.mkdir(this.#staging, { recursive: true });
    const path = join(this.#staging, crypto.randomUUID());
    await Deno.writeFile(path, bytes);
    return { path };
  }

  async discard(staged: StagedFile): Promise<void> {
    await Deno.remove(staged.path).catch(() => {});
  }

  /** Moves a staged upload into place as that version of the object. */
  async place(staged: StagedFile, bucket: string, name: string, version: string): Promise<void> {
    const target = join(this.#objectDir(bucket, name), version);
    // A concurrent delete may prune the folder between mkdir and rename: one retry covers it.
    for (let attempt = 0;; attempt++) {
      await Deno.mkdir(dirname(target), { recursive: true });
      try {
        return await Deno.rename(staged.path, target);
      } catch (error) {
        if (!isMissing(error) || attempt > 0) throw error;
      }
    }
  }

  /** Opens one version of an object; a missing file is Storage's "Object not found". */
  async open(bucket: string, name: string, version: string): Promise<Deno.FsFile> {
    try {
      return await Deno.open(join(this.#objectDir(bucket, name), version));
    } catch (error) {
      if (isMissing(error)) throw errors.noSuchKey();
      throw error;
    }
  }

  /** Deletes one version, and the object's folder when nothing else is in it. */
  async remove(bucket: string, name: string, version: string): Promise<void> {
    const dir = this.#objectDir(bucket, name);
    await Deno.remove(join(dir, version)).catch(() => {});
    await Deno.remove(dir).catch(() => {});
  }

  async removeBucket(bucket: string): Promise<void> {
    const dir = resolve(this.#root, bucket);
    if (dir.startsWith(this.#root + sep)) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
