// Helpers shared by the tests that drive the proxy's Anthropic /v1/messages
// front end (messages, responses_backend, fixtures): model names, a tool, a
// raw streaming fetch, the SDK stream collector and delta concatenation.
import { TOKEN } from './harness.mjs';

export const SONNET = 'claude-sonnet-5-5';
export const HAIKU = 'claude-haiku-4-5-20251001';

export const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Get the current weather for a city',
  input_schema: {
    type: 'object',
    properties: { location: { type: 'string', description: 'City name' } },
    required: ['location'],
  },
};

/** POST body (with stream: true) to the stack's /v1/messages with raw fetch; returns { status, headers, text }. */
export async function rawMessagesStream(stack, body, headers = {}) {
  const res = await fetch(stack.proxyUrl + '/v1/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN, 'anthropic-version': '2023-06-01', ...headers },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

/** Runs client.messages.stream(params); returns every event and the final message. */
export async function sdkStream(client, params) {
  const stream = client.messages.stream(params);
  const events = [];
  for await (const ev of stream) events.push(ev);
  const final = await stream.finalMessage();
  return { events, final };
}

/** Concatenates delta[field] of the content_block_delta events whose delta.type is `type`. */
export function deltaText(events, type = 'text_delta', field = 'text') {
  return events
    .filter((e) => e.type === 'content_block_delta' && e.delta.type === type)
    .map((e) => e.delta[field])
    .join('');
}

/** A /v1/messages body: SONNET, max_tokens 50, one user message. */
export function sonnetBody(content) {
  return { model: SONNET, max_tokens: 50, messages: [{ role: 'user', content }] };
}
