/** A platform service the gateway mounts under a path prefix (/auth/v1, /storage/v1). */
export interface PlatformService {
  fetch(request: Request): Response | Promise<Response>;
  close(): Promise<void>;
}
