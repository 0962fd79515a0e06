import type { WireIssue } from '../wire-check.js';
import type { AnthropicMessagesRequest } from './anthropic-types.js';

/**
 * The rules Anthropic checks across fields, after the shape is right: refused here for every model, so a request
 * Anthropic would refuse is not quietly answered because the route chose a model that does not check (an OpenAI
 * model would take an unpaired tool_result or a tool_choice naming no tool). Messages are Anthropic's own wording
 * where we know it; tests assert the error type, not the text.
 */
export function messagesRuleIssue(body: AnthropicMessagesRequest, betas: readonly string[] = []): WireIssue | undefined {
  return blockIssue(body, betas) ?? toolPairingIssue(body) ?? toolsIssue(body) ?? thinkingIssue(body, betas) ?? metadataIssue(body);
}

type Block = Record<string, unknown> & { type: string };

const issue = (param: string, message: string): WireIssue => ({ message: `${param}: ${message}`, param });
const blocksOf = (content: unknown): Block[] => (Array.isArray(content) ? (content as Block[]) : []);
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
// Anthropic's pattern for the name of a client tool.
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
// The content blocks Anthropic's API takes in a turn (@anthropic-ai/sdk ContentBlockParam), and those only its beta
// API takes (BetaContentBlockParam), in the order its refusal lists them. A type neither knows is refused here:
// a non-Anthropic model would otherwise get the turn without it, empty or quietly changed. A block type Anthropic
// adds later needs its name added here.
const BLOCK_TAGS = [
  'text', 'image', 'document', 'search_result', 'thinking', 'redacted_thinking', 'tool_use', 'tool_result', 'server_tool_use',
  'web_search_tool_result', 'web_fetch_tool_result', 'code_execution_tool_result', 'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result', 'tool_search_tool_result', 'container_upload',
];
const BETA_BLOCK_TAGS = [...BLOCK_TAGS, 'advisor_tool_result', 'mcp_tool_use', 'mcp_tool_result', 'compaction', 'tool_addition', 'tool_removal', 'mcp_tool_listing', 'fallback'];
const quotedTags = (tags: readonly string[]) => tags.map((tag) => `'${tag}'`).join(', ');
const BLOCK_TAG_SETS = {
  ga: { tags: new Set(BLOCK_TAGS), listed: quotedTags(BLOCK_TAGS) },
  beta: { tags: new Set(BETA_BLOCK_TAGS), listed: quotedTags(BETA_BLOCK_TAGS) },
};

function blockIssue(body: AnthropicMessagesRequest, betas: readonly string[]): WireIssue | undefined {
  if (blocksOf(body.system).some((block) => block.text === '')) return issue('system', 'text content blocks must be non-empty');
  // With a beta on, the request goes to Anthropic's beta API, which takes more block types.
  const known = betas.length > 0 ? BLOCK_TAG_SETS.beta : BLOCK_TAG_SETS.ga;
  for (const [index, message] of body.messages.entries()) {
    for (const [at, block] of blocksOf(message.content).entries()) {
      if (!known.tags.has(block.type)) {
        return issue(`messages.${index}.content.${at}`, `Input tag '${block.type}' found using 'type' does not match any of the expected tags: ${known.listed}`);
      }
      if (block.type === 'text' && block.text === '') return issue('messages', 'text content blocks must be non-empty');
      if (block.type === 'image') {
        const found = imageSourceIssue(block.source as Record<string, unknown>);
        if (found) return issue(`messages.${index}.content.${at}.image.source${found.path}`, found.message);
      }
    }
  }
  return undefined;
}

function imageSourceIssue(source: Record<string, unknown>): { path: string; message: string } | undefined {
  switch (source.type) {
    case 'base64':
      if (typeof source.media_type !== 'string' || !IMAGE_TYPES.includes(source.media_type)) {
        return { path: '.base64.media_type', message: "Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'" };
      }
      return typeof source.data === 'string' ? undefined : { path: '.base64.data', message: 'Field required' };
    case 'url':
      return typeof source.url === 'string' && source.url !== '' ? undefined : { path: '.url.url', message: 'Field required' };
    case 'file':
      return typeof source.file_id === 'string' && source.file_id !== '' ? undefined : { path: '.file.file_id', message: 'Field required' };
    default:
      return { path: '', message: `Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'` };
  }
}

/** Every tool_result answers a tool_use of the turn just before, and every tool_use is answered in the next turn. */
function toolPairingIssue(body: AnthropicMessagesRequest): WireIssue | undefined {
  const messages = body.messages;
  for (const [index, message] of messages.entries()) {
    const blocks = blocksOf(message.content);
    const asked = new Set(blocksOf(messages[index - 1]?.content).filter((block) => block.type === 'tool_use').map((block) => block.id));
    for (const [at, block] of blocks.entries()) {
      if (block.type === 'tool_result' && !asked.has(block.tool_use_id)) {
        return issue(
          `messages.${index}.content.${at}`,
          `unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
        );
      }
    }
    // The last turn's calls are the ones the client is about to answer.
    if (index === messages.length - 1) continue;
    const answered = new Set(blocksOf(messages[index + 1].content).filter((block) => block.type === 'tool_result').map((block) => block.tool_use_id));
    const open = blocks.filter((block) => block.type === 'tool_use' && !answered.has(block.id)).map((block) => String(block.id));
    if (open.length > 0) {
      return issue(
        `messages.${index + 1}`,
        `\`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${open.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      );
    }
  }
  return undefined;
}

function toolsIssue(body: AnthropicMessagesRequest): WireIssue | undefined {
  const tools = body.tools ?? [];
  const names = new Set<string>();
  for (const [index, tool] of tools.entries()) {
    // Server tools (`web_search_20250305`, …) have a versioned type and no schema of ours to check.
    const custom = tool.type === undefined || tool.type === 'custom';
    if (custom && tool.input_schema === undefined) return issue(`tools.${index}.custom.input_schema`, 'Field required');
    if (custom && !TOOL_NAME.test(tool.name)) return issue(`tools.${index}.custom.name`, `String should match pattern '${TOOL_NAME.source}'`);
    if (names.has(tool.name)) return issue('tools', 'Tool names must be unique.');
    names.add(tool.name);
  }
  const choice = body.tool_choice;
  if (choice === undefined || choice.type === 'auto' || choice.type === 'none') return undefined;
  if (tools.length === 0) return issue('tool_choice', 'tool_choice may only be specified while providing tools');
  if (choice.type === 'tool' && !names.has(choice.name)) return issue('tool_choice.name', `Tool '${choice.name}' not found in 'tools'`);
  return undefined;
}

/** Extended thinking: a budget of at least 1024 tokens, below max_tokens unless interleaved thinking is on. */
function thinkingIssue(body: AnthropicMessagesRequest, betas: readonly string[]): WireIssue | undefined {
  const thinking = body.thinking;
  if (thinking === undefined) return undefined;
  if (!['enabled', 'disabled', 'adaptive'].includes(String(thinking.type))) {
    return issue('thinking', `Input tag '${String(thinking.type)}' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'`);
  }
  if (thinking.type === 'disabled') return undefined;
  if (thinking.type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (budget === undefined) return issue('thinking.enabled.budget_tokens', 'Field required');
    if (typeof budget !== 'number' || !Number.isInteger(budget)) return issue('thinking.enabled.budget_tokens', 'Input should be a valid integer');
    if (budget < 1024) return issue('thinking.enabled.budget_tokens', 'Input should be greater than or equal to 1024');
    const interleaved = betas.some((beta) => beta.startsWith('interleaved-thinking'));
    if (!interleaved && body.max_tokens <= budget) {
      return { message: '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size', param: 'max_tokens' };
    }
  }
  // Thinking samples at its own settings: Anthropic refuses the modifications rather than ignore them.
  if (body.temperature !== undefined && body.temperature !== 1) {
    return { message: '`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility', param: 'temperature' };
  }
  if (body.top_k !== undefined) {
    return { message: '`top_k` cannot be set when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility', param: 'top_k' };
  }
  return undefined;
}

function metadataIssue(body: AnthropicMessagesRequest): WireIssue | undefined {
  const extra = Object.keys(body.metadata ?? {}).find((key) => key !== 'user_id');
  return extra === undefined ? undefined : issue(`metadata.${extra}`, 'Extra inputs are not permitted');
}
