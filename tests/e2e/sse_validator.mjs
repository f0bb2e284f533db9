// Checker for the Anthropic Messages streaming (SSE) grammar.
//
//   validateAnthropicSSE(rawTextOrEvents, options?) -> string[]   (empty = valid)
//
// Accepts either the raw `text/event-stream` body or a list of already parsed
// events ({event, data} where data is an object or a JSON string; SDK-style
// objects that are just the data payload are accepted too).
//
// Grammar checked (see https://docs.anthropic.com/en/api/messages-streaming):
//   ping*  message_start  ping*
//   ( content_block_start (content_block_delta | ping)* content_block_stop )*   with index 0,1,2,...
//   message_delta  ping*  message_stop
// An `error` event may end the stream at any point (it must be the last frame).

const BLOCK_DELTAS = {
  text: new Set(['text_delta', 'citations_delta']),
  tool_use: new Set(['input_json_delta']),
  server_tool_use: new Set(['input_json_delta']),
  thinking: new Set(['thinking_delta', 'signature_delta']),
  redacted_thinking: new Set(),
};

const KNOWN_EVENTS = new Set([
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
  'ping',
  'error',
]);

/**
 * Parse a raw SSE body into frames.
 * @returns {{event: string|null, data: string|null, raw: string}[]}
 */
export function parseSSE(text) {
  const frames = [];
  const normalized = String(text).replace(/\r\n?/g, '\n');
  for (const chunk of normalized.split(/\n\n+/)) {
    if (chunk.trim() === '') continue;
    let event = null;
    const dataLines = [];
    let onlyComments = true;
    for (const line of chunk.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      onlyComments = false;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') dataLines.push(value);
      // id / retry / unknown fields are ignored, as an EventSource would.
    }
    if (onlyComments) continue;
    frames.push({ event, data: dataLines.length ? dataLines.join('\n') : null, raw: chunk });
  }
  return frames;
}

function normalizeEvents(input) {
  if (typeof input === 'string') return { frames: parseSSE(input), fromText: true };
  if (!Array.isArray(input)) throw new TypeError('validateAnthropicSSE: expected a string or an array of events');
  const frames = input.map((e) => {
    if (e && typeof e === 'object' && 'data' in e) {
      return { event: e.event ?? null, data: e.data ?? null, raw: JSON.stringify(e) };
    }
    // A bare payload object such as the SDK yields: the event name is its type.
    return { event: e?.type ?? null, data: e, raw: JSON.stringify(e) };
  });
  return { frames, fromText: false };
}

function short(s, n = 160) {
  s = typeof s === 'string' ? s : JSON.stringify(s);
  return s.length > n ? s.slice(0, n) + '…' : s;
}

/**
 * Validate an Anthropic SSE stream.
 * @param {string|object[]} input raw SSE text or a list of events
 * @param {{allowError?: boolean, requireEnd?: boolean}} [options]
 * @returns {string[]} violations (empty = valid)
 */
export function validateAnthropicSSE(input, options = {}) {
  const allowError = options.allowError ?? true;
  const requireEnd = options.requireEnd ?? true;
  const v = [];
  const { frames } = normalizeEvents(input);

  if (frames.length === 0) {
    v.push('stream is empty (no SSE frames)');
    return v;
  }

  let sawMessageStart = false;
  let sawMessageDelta = false;
  let sawMessageStop = false;
  let sawError = false;
  let nextIndex = 0;
  let open = null; // {index, type, json: string}
  const done = (i) => `frame #${i}`;

  frames.forEach((f, i) => {
    const where = done(i);
    if (f.data === '[DONE]' || (typeof f.data === 'string' && f.data.trim() === '[DONE]')) {
      v.push(`${where}: OpenAI-style [DONE] sentinel in an Anthropic stream`);
      return;
    }
    if (f.event == null || f.event === '') {
      v.push(`${where}: frame has no 'event:' line: ${short(f.raw)}`);
    }
    if (f.data == null) {
      v.push(`${where}: frame has no 'data:' line: ${short(f.raw)}`);
      return;
    }
    let data = f.data;
    if (typeof data === 'string') {
      try {
        data = JSON.parse(data);
      } catch {
        v.push(`${where}: data is not JSON: ${short(f.data)}`);
        return;
      }
    }
    if (!data || typeof data !== 'object' || typeof data.type !== 'string') {
      v.push(`${where}: data has no string 'type': ${short(f.data)}`);
      return;
    }
    const type = data.type;
    if (f.event != null && f.event !== '' && f.event !== type) {
      v.push(`${where}: event name '${f.event}' != data.type '${type}'`);
    }
    if (sawError) {
      v.push(`${where}: '${type}' after an error event (error must be the last frame)`);
      return;
    }
    if (sawMessageStop && type !== 'ping') {
      v.push(`${where}: '${type}' after message_stop`);
      return;
    }
    if (sawMessageStop && type === 'ping') {
      v.push(`${where}: ping after message_stop (message_stop must be last)`);
      return;
    }
    if (!KNOWN_EVENTS.has(type)) {
      v.push(`${where}: unknown event type '${type}'`);
      return;
    }
    if (type === 'ping') return;
    if (type === 'error') {
      sawError = true;
      if (!allowError) v.push(`${where}: error event: ${short(data)}`);
      if (!data.error || typeof data.error.type !== 'string' || typeof data.error.message !== 'string') {
        v.push(`${where}: error event without {error:{type,message}}: ${short(data)}`);
      }
      return;
    }
    if (type !== 'message_start' && !sawMessageStart) {
      v.push(`${where}: '${type}' before message_start`);
    }
    switch (type) {
      case 'message_start': {
        if (sawMessageStart) {
          v.push(`${where}: second message_start`);
          break;
        }
        if (i !== 0 && frames.slice(0, i).some((p) => !isPing(p))) {
          v.push(`${where}: message_start is not the first event`);
        }
        sawMessageStart = true;
        const m = data.message;
        if (!m || typeof m !== 'object') {
          v.push(`${where}: message_start without message object`);
          break;
        }
        if (m.type !== 'message') v.push(`${where}: message_start.message.type = ${short(m.type)} (want 'message')`);
        if (m.role !== 'assistant') v.push(`${where}: message_start.message.role = ${short(m.role)} (want 'assistant')`);
        if (!Array.isArray(m.content)) v.push(`${where}: message_start.message.content is not an array`);
        if (!m.usage || typeof m.usage !== 'object') v.push(`${where}: message_start.message.usage missing`);
        break;
      }
      case 'content_block_start': {
        if (sawMessageDelta) v.push(`${where}: content_block_start after message_delta`);
        if (open) v.push(`${where}: content_block_start index ${data.index} while block ${open.index} is still open`);
        if (data.index !== nextIndex) v.push(`${where}: content_block_start index ${short(data.index)}, expected ${nextIndex}`);
        const cb = data.content_block;
        if (!cb || typeof cb.type !== 'string') {
          v.push(`${where}: content_block_start without content_block.type`);
          open = { index: data.index, type: null, json: '' };
        } else {
          if (!(cb.type in BLOCK_DELTAS)) v.push(`${where}: unknown content block type '${cb.type}'`);
          if ((cb.type === 'tool_use' || cb.type === 'server_tool_use') && (typeof cb.id !== 'string' || typeof cb.name !== 'string')) {
            v.push(`${where}: ${cb.type} block start without string id/name`);
          }
          open = { index: data.index, type: cb.type, json: '' };
        }
        nextIndex = (typeof data.index === 'number' ? data.index : nextIndex) + 1;
        break;
      }
      case 'content_block_delta': {
        if (!open) {
          v.push(`${where}: content_block_delta (index ${short(data.index)}) with no open block`);
          break;
        }
        if (data.index !== open.index) v.push(`${where}: content_block_delta index ${short(data.index)} != open block ${open.index}`);
        const d = data.delta;
        if (!d || typeof d.type !== 'string') {
          v.push(`${where}: content_block_delta without delta.type`);
          break;
        }
        const allowed = BLOCK_DELTAS[open.type];
        if (allowed && !allowed.has(d.type)) v.push(`${where}: ${d.type} inside a '${open.type}' block`);
        if (d.type === 'input_json_delta') {
          if (typeof d.partial_json !== 'string') v.push(`${where}: input_json_delta.partial_json is not a string`);
          else open.json += d.partial_json;
        }
        if (d.type === 'text_delta' && typeof d.text !== 'string') v.push(`${where}: text_delta.text is not a string`);
        if (d.type === 'thinking_delta' && typeof d.thinking !== 'string') v.push(`${where}: thinking_delta.thinking is not a string`);
        if (d.type === 'signature_delta' && typeof d.signature !== 'string') v.push(`${where}: signature_delta.signature is not a string`);
        break;
      }
      case 'content_block_stop': {
        if (!open) {
          v.push(`${where}: content_block_stop (index ${short(data.index)}) with no open block`);
          break;
        }
        if (data.index !== open.index) v.push(`${where}: content_block_stop index ${short(data.index)} != open block ${open.index}`);
        if (open.type === 'tool_use' || open.type === 'server_tool_use') {
          const text = open.json === '' ? '{}' : open.json;
          try {
            const parsed = JSON.parse(text);
            if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
              v.push(`${where}: tool_use block ${open.index} input is not a JSON object: ${short(text)}`);
            }
          } catch {
            v.push(`${where}: tool_use block ${open.index} partial_json does not parse: ${short(text)}`);
          }
        }
        open = null;
        break;
      }
      case 'message_delta': {
        if (sawMessageDelta) {
          v.push(`${where}: second message_delta`);
          break;
        }
        sawMessageDelta = true;
        if (open) v.push(`${where}: message_delta while block ${open.index} is still open`);
        if (!data.delta || data.delta.stop_reason == null) v.push(`${where}: message_delta.delta.stop_reason is null/missing`);
        if (!data.usage || typeof data.usage.output_tokens !== 'number') v.push(`${where}: message_delta.usage.output_tokens is not a number`);
        break;
      }
      case 'message_stop': {
        if (!sawMessageDelta) v.push(`${where}: message_stop without a preceding message_delta`);
        if (open) v.push(`${where}: message_stop while block ${open.index} is still open`);
        sawMessageStop = true;
        break;
      }
    }
  });

  if (!sawMessageStart && !sawError) v.push('no message_start event');
  if (requireEnd && !sawError) {
    if (open) v.push(`stream ended with block ${open.index} still open`);
    if (!sawMessageDelta) v.push('no message_delta event');
    if (!sawMessageStop) v.push('stream did not end with message_stop');
  }
  return v;
}

function isPing(frame) {
  if (frame.event === 'ping') return true;
  if (typeof frame.data === 'string') {
    try {
      return JSON.parse(frame.data)?.type === 'ping';
    } catch {
      return false;
    }
  }
  return frame.data?.type === 'ping';
}

/** Parsed data payloads of a raw SSE body (frames whose data is JSON). */
export function sseEvents(text) {
  const out = [];
  for (const f of parseSSE(text)) {
    if (f.data == null) continue;
    try {
      out.push(JSON.parse(f.data));
    } catch {
      /* not JSON */
    }
  }
  return out;
}

/** Throw an assertion error listing the violations (with the stream) if the stream is invalid. */
export function assertValidAnthropicSSE(input, options = {}) {
  const violations = validateAnthropicSSE(input, options);
  if (violations.length) {
    const body = typeof input === 'string' ? input : JSON.stringify(input, null, 1);
    const err = new Error(
      `invalid Anthropic SSE stream:\n  - ${violations.join('\n  - ')}\n--- stream ---\n${body.slice(0, 6000)}`,
    );
    err.violations = violations;
    throw err;
  }
}
