import type { JWTPayload } from "jose";

/** The verified claims of the caller's Supabase access token. */
export interface UserClaims extends JWTPayload {
  sub: string;
  role: string;
  email?: string;
  session_id?: string;
}
