import type { UserClaims } from "../auth/claims.ts";

/** Per-request values every route may read with `c.get(...)`. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** Set by auth's `requireUser` on the routes that need a user. */
    claims: UserClaims;
  };
}
