import { z } from "@hono/zod-openapi";
import { AttachmentIds } from "../attachments/schemas.ts";
import { pageQuery } from "../http/paging.ts";

// Unknown fields are ignored, not refused: the old backend (pydantic defaults) did the same.

const Timestamp = z.iso.datetime({ offset: true }).or(z.date()).openapi({
  type: "string",
  format: "date-time",
});

/** The database's limit on a message (messages_content_length). */
export const MAX_MESSAGE_CHARS = 1_000_000;
export const DEFAULT_CHAT_TITLE = "Untitled chat";

export const ChatIdParams = z.object({
  chat_id: z.uuid().openapi({ param: { name: "chat_id", in: "path" } }),
});

export const ChatSummary = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  title: z.string(),
  model_config_id: z.uuid().nullable(),
  pinned: z.boolean().openapi({ description: "Listed before the other chats" }),
  archived: z.boolean().openapi({ description: "Left out of the list unless `archived=true` is asked" }),
  created_at: Timestamp,
  updated_at: Timestamp,
}).openapi("ChatSummary");

export const MessageRole = z.enum(["user", "assistant", "system"]);

export const Message = z.object({
  id: z.uuid(),
  chat_id: z.uuid(),
  parent_id: z.uuid().nullable().openapi({
    description: "The message this one follows; null for a first message",
  }),
  sibling_index: z.number().int().openapi({
    description: "Its place among messages with the same parent (0: oldest)",
  }),
  sibling_count: z.number().int().openapi({
    description: "How many messages share its parent (itself included)",
  }),
  role: MessageRole,
  content: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  created_at: Timestamp,
}).openapi("Message");

export const ChatDetail = z.object({
  chat: ChatSummary,
  messages: z.array(Message).openapi({ description: "Oldest first" }),
}).openapi("ChatDetail");

const Title = z.string().trim().min(1).max(120);
const MessageContent = z.string().min(1).max(MAX_MESSAGE_CHARS);

export const ChatCreate = z.object({
  title: Title.default(DEFAULT_CHAT_TITLE),
  model_config_id: z.uuid().nullable().optional()
    .openapi({ description: "One of the caller's saved model configurations" }),
  initial_message: MessageContent.optional()
    .openapi({ description: "A first user message, stored with the chat" }),
}).openapi("ChatCreate");

export const ChatUpdate = z.object({
  title: Title.optional(),
  model_config_id: z.uuid().nullable().optional().openapi({ description: "null clears the chat's model" }),
  pinned: z.boolean().optional(),
  archived: z.boolean().optional(),
}).openapi("ChatUpdate");

export const ChatListQuery = pageQuery({
  archived: z.enum(["true", "false"]).default("false").transform((value) => value === "true")
    .openapi({ description: "`true`: only the archived chats; otherwise only the others" }),
});

export const FeedbackUpdate = z.object({
  rating: z.enum(["up", "down"]).nullable()
    .openapi({ description: "null withdraws the rating (with no comment, the feedback is removed)" }),
  comment: z.string().trim().max(1000).optional(),
}).openapi("FeedbackUpdate");

export const SearchQuery = z.object({
  q: z.string().trim().min(1).max(500).openapi({
    description: "Words to find; quotes for a phrase, `-word` to exclude, `or` between alternatives",
  }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const SearchHit = z.object({
  chat_id: z.uuid(),
  title: z.string(),
  message_id: z.uuid().nullable().openapi({ description: "null when the hit is the chat's title" }),
  role: MessageRole.nullable(),
  snippet: z.string().openapi({ description: "An excerpt, the matched words wrapped in `**`" }),
  rank: z.number(),
  updated_at: Timestamp,
}).openapi("SearchHit");

export const MessageIdParams = ChatIdParams.extend({
  message_id: z.uuid().openapi({ param: { name: "message_id", in: "path" } }),
});

export const MessageCreate = z.object({
  role: MessageRole.default("user"),
  content: MessageContent,
  metadata: z.record(z.string(), z.unknown()).optional(),
  attachments: AttachmentIds.optional(),
  stream: z.boolean().default(false),
}).openapi("MessageCreate");

export const ReplyStream = z.string().openapi({
  description:
    "Server-sent events, each `event: <type>` and one JSON `data:` line: `start` {message: the stored " +
    "user message (for a regeneration: the question answered), assistant_message_id: the message the reply " +
    "is written to}; `delta` {text}, with `id:` the length of the reply's text so far (resume from it: " +
    "`GET .../messages/{assistant_message_id}/stream` with `Last-Event-ID`); `reasoning` {text} (models " +
    "that think aloud); then `done` {message: the stored reply, usage {prompt_tokens, completion_tokens}} or " +
    "`error` {detail, code, message: the partial reply stored, or null}. Comment lines (`: keep-alive`) come " +
    "while the provider is silent. The reply is generated and stored even if the client disconnects; its " +
    "message shows `metadata.status` generating, then complete, stopped or error.",
});

export const RegenerateRequest = z.object({
  stream: z.boolean().default(false),
  model_config_id: z.uuid().optional().openapi({ description: "Regenerate with this saved model instead" }),
}).openapi("RegenerateRequest");

export const EditRequest = z.object({
  content: MessageContent,
  attachments: AttachmentIds.optional(),
  stream: z.boolean().default(false),
}).openapi("EditRequest");

export const ActiveBranchRequest = z.object({
  message_id: z.uuid().openapi({ description: "The branch's newest leaf under this message becomes active" }),
}).openapi("ActiveBranchRequest");

export const BranchesQuery = z.object({
  branches: z.enum(["active", "all"]).default("active").openapi({
    description: "`all`: every message of every branch, not only the active path",
  }),
});

export type ChatSummary = z.infer<typeof ChatSummary>;
export type Message = z.infer<typeof Message>;
export type ChatCreate = z.infer<typeof ChatCreate>;
export type ChatUpdate = z.infer<typeof ChatUpdate>;
export type MessageCreate = z.infer<typeof MessageCreate>;
export type MessageRole = z.infer<typeof MessageRole>;
export type RegenerateRequest = z.infer<typeof RegenerateRequest>;
export type EditRequest = z.infer<typeof EditRequest>;
export type ChatListQuery = z.infer<typeof ChatListQuery>;
export type FeedbackUpdate = z.infer<typeof FeedbackUpdate>;
export type SearchHit = z.infer<typeof SearchHit>;
