/**
 * The model card's optional second model: a larger one behind an OpenAI-compatible server (vLLM,
 * llama-server, Ollama…), for the cascade's escalation and the Evaluate tab's routing curve. The API key
 * is a password field read at load and handed to the runtime: it is never stored (no localStorage, no
 * IndexedDB), and messages name the server by its URL, never by its key.
 */
import { InvalidRequestError, type ModelFamily } from '../browser.js';
import { h } from '../ui/dom.js';
import type { ServerChoice } from './session.js';

// A Record over the type, so a family added to the library fails to compile here until it is offered.
const FAMILIES: Record<ModelFamily, string> = {
  qwen: 'Qwen',
  llama: 'Llama',
  smollm: 'SmolLM',
  phi: 'Phi',
  gemma: 'Gemma',
  generic: 'generic instruct',
  'tiny-arith': 'tiny-arith (its trained format)',
};

export interface ServerForm {
  element: HTMLElement;
  /** The server the form names, null when it names none; an `InvalidRequestError` for a half-filled or malformed one. */
  value(): ServerChoice | null;
}

export function createServerForm(): ServerForm {
  const url = h('input', { id: 'server-url', type: 'url', placeholder: 'http://localhost:8080/v1', spellcheck: 'false', autocomplete: 'off' });
  const id = h('input', { id: 'server-model', type: 'text', placeholder: 'Qwen/Qwen2.5-7B-Instruct', spellcheck: 'false', autocomplete: 'off' });
  const family = h(
    'select',
    { id: 'server-family' },
    h('option', { value: '' }, 'guess from the model id'),
    ...Object.entries(FAMILIES).map(([value, label]) => h('option', { value }, label)),
  );
  // "new-password" keeps password managers from filling in or offering to save it.
  const key = h('input', { id: 'server-key', type: 'password', autocomplete: 'new-password', placeholder: 'optional' });
  const element = h(
    'details',
    { class: 'server-form', id: 'server-form' },
    h('summary', {}, 'Larger model on a server (optional)'),
    h('p', { class: 'hint' }, 'An OpenAI-compatible server (vLLM, llama-server, Ollama…) that must allow this page’s origin (CORS). It loads beside the model above as "big": any strategy step can then run on it, and Evaluate can plot routing from one to the other. Leave the URL empty for none. The key is sent only to that server and is never stored.'),
    h(
      'div',
      { class: 'grid' },
      h('div', { class: 'field' }, h('label', { for: 'server-url' }, 'Base URL'), url),
      h('div', { class: 'field' }, h('label', { for: 'server-model' }, 'Model id'), id),
      h('div', { class: 'field' }, h('label', { for: 'server-family' }, 'Prompt family'), family),
      h('div', { class: 'field' }, h('label', { for: 'server-key' }, 'API key'), key),
    ),
  );

  return {
    element,
    value() {
      const baseUrl = url.value.trim();
      const model = id.value.trim();
      if (baseUrl === '' && model === '') return null;
      if (baseUrl === '') throw new InvalidRequestError('server.baseUrl', 'give the server’s base URL, e.g. http://localhost:8080/v1');
      let parsed: URL | null = null;
      try {
        parsed = new URL(baseUrl);
      } catch {
        // reported below
      }
      if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
        throw new InvalidRequestError('server.baseUrl', `"${baseUrl.slice(0, 80)}" is not an http:// or https:// URL`);
      }
      if (model === '') throw new InvalidRequestError('server.model', 'give the model id the server knows the model by');
      const apiKey = key.value.trim();
      return { baseUrl, id: model, ...(family.value ? { family: family.value as ModelFamily } : {}), ...(apiKey ? { apiKey } : {}) };
    },
  };
}

/** What a failed load says: a server failure names the server and its HTTP status, and hints at CORS where no reply came. */
export function describeLoadError(error: unknown, model: string, server: ServerChoice | null): string {
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : 'Error';
  if (server && name === 'RemoteEngineError') {
    const status = (error as { status?: unknown }).status;
    const why = typeof status === 'number' ? `HTTP ${status}${status === 401 || status === 403 ? ' — check the API key' : ''}` : 'no reply — is it running, and does it allow this page’s origin (CORS)?';
    return `The server at ${shown(server.baseUrl)} failed (${why}): ${message}`;
  }
  return `Could not load ${model}${server ? ` with "${server.id}" on ${shown(server.baseUrl)}` : ''}: ${message}`;
}

/** A URL without the user and password it may carry (credentials are never shown). */
function shown(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.username = '';
  url.password = '';
  return url.href;
}
