import { afterEach } from 'vitest';
import { createOpenAIEngine, type OpenAIEngineOptions, type OpenAIParams } from '../../src/engine/openai.js';
import { startOpenAIServer, type FixtureOptions } from './openai-server.js';

/**
 * For a test file: `setup(fixture, options)` starts a fixture server and loads an engine on it, `startServer`
 * only the server; every server is closed after each test. `calls()` lists the generation requests sent after
 * the load (not its probes).
 */
export function useOpenAIFixtures() {
  const servers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const startServer = async (fixture: FixtureOptions) => {
    const server = await startOpenAIServer(fixture);
    servers.push(server);
    return server;
  };
  const setup = async (fixture: FixtureOptions, options: Partial<OpenAIEngineOptions> = {}) => {
    const server = await startServer(fixture);
    const engine = await createOpenAIEngine({ baseUrl: server.url, model: 'tiny-arith', retryDelayMs: 1, ...options });
    const sent = server.requests.length;
    const calls = () => server.requests.slice(sent).filter((r) => r.path === '/v1/chat/completions' || r.path === '/v1/completions');
    return { server, engine, calls };
  };
  return { setup, startServer };
}

/** A greedy chat request for `347+589`, with overrides. */
export const params = (overrides: Partial<OpenAIParams> = {}): OpenAIParams => ({
  prompt: { messages: [{ role: 'user', content: '347+589' }] },
  n: 1,
  temperature: 0,
  maxTokens: 8,
  ...overrides,
});
