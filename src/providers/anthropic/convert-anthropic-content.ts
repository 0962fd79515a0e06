import { FrugalError } from '../../errors/frugal-error.js';
import type { ContentPart } from '../../wire/chat-types.js';
import type { AnthropicDocumentBlock, AnthropicImageBlock, AnthropicTextBlock } from '../../wire/anthropic/anthropic-types.js';

export type AnthropicUserContentBlock = AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock;

// The image types Anthropic accepts; anything else is refused by the API, so we refuse it first, by name.
const IMAGE_MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const DATA_URL = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s;

/**
 * OpenAI message content (string or parts) → Anthropic blocks. Empty text is left out because Anthropic
 * rejects empty text blocks. `param` names the message (e.g. `messages[2]`) for error messages; `warn` collects
 * what could not be kept (image `detail`).
 */
export function convertContentParts(
  content: string | ContentPart[] | null | undefined,
  param: string,
  warn: (warning: string) => void,
): AnthropicUserContentBlock[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const blocks: AnthropicUserContentBlock[] = [];
  content.forEach((part, index) => {
    const partParam = `${param}.content[${index}]`;
    if (part.type === 'text') {
      const text = (part as { text?: unknown }).text;
      if (typeof text !== 'string') throw new FrugalError('invalid_request', `${partParam}.text must be a string.`, { param: partParam });
      if (text !== '') blocks.push({ type: 'text', text });
    } else if (part.type === 'image_url') {
      const image = (part as { image_url?: { url?: unknown; detail?: unknown } }).image_url;
      if (typeof image?.url !== 'string') throw new FrugalError('invalid_request', `${partParam}.image_url.url must be a string.`, { param: partParam });
      if (image.detail !== undefined && image.detail !== 'auto') warn(`dropped image detail '${String(image.detail)}' (Anthropic has no detail setting)`);
      blocks.push(imageBlock(image.url, partParam));
    } else if (part.type === 'file') {
      blocks.push(documentBlock(part, partParam));
    } else {
      throw new FrugalError('not_supported', `Content part type '${part.type}' is not supported by Anthropic models.`, { param: partParam });
    }
  });
  return blocks;
}

function imageBlock(url: string, param: string): AnthropicImageBlock {
  if (url.startsWith('data:')) {
    const match = DATA_URL.exec(url);
    if (!match) throw new FrugalError('invalid_request', `${param} has a data: URL that is not base64.`, { param });
    const mediaType = match[1].toLowerCase();
    if (!IMAGE_MEDIA_TYPES.has(mediaType)) {
      throw new FrugalError('not_supported', `Image type '${mediaType}' is not supported by Anthropic (jpeg, png, gif, webp are).`, { param });
    }
    return { type: 'image', source: { type: 'base64', media_type: mediaType, data: match[2] } };
  }
  if (url.startsWith('https://') || url.startsWith('http://')) return { type: 'image', source: { type: 'url', url } };
  throw new FrugalError('invalid_request', `${param} needs an http(s) or data: URL.`, { param });
}

/** OpenAI `file` parts carry PDFs as data URLs; Anthropic reads them as document blocks. */
function documentBlock(part: ContentPart, param: string): AnthropicDocumentBlock {
  const file = (part as { file?: { file_data?: unknown; file_id?: unknown; filename?: unknown } }).file;
  if (typeof file?.file_data !== 'string') {
    throw new FrugalError('not_supported', 'Only inline file_data (a base64 data: URL) can be sent to Anthropic, not file_id.', { param });
  }
  const match = DATA_URL.exec(file.file_data);
  if (!match || match[1].toLowerCase() !== 'application/pdf') {
    throw new FrugalError('not_supported', 'Anthropic accepts files only as base64 PDF data: URLs.', { param });
  }
  const block: AnthropicDocumentBlock = { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: match[2] } };
  if (typeof file.filename === 'string' && file.filename !== '') block.title = file.filename;
  return block;
}
