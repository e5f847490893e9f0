/**
 * The attachment upload's path, read as a stream (the app's body limit does not apply: see
 * createApp). Apart from the routes so the app frame can name it at boot without loading the domain.
 * @module
 */
export const ATTACHMENTS_PATH = "/v1/attachments";
