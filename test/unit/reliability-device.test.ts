import type { PreTrainedModel } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { asDeviceLost, isLostDeviceMessage, watchDevice } from '../../src/engine/transformers-device.js';
import { guardSessions } from '../../src/engine/transformers-guard.js';
import { DeviceLostError, EngineError, deserializeError, serializeError } from '../../src/errors.js';
import { findModel } from '../../src/models/catalog.js';
import { createLocalRuntime } from '../../src/runtime/local.js';
import { recordFigure } from '../e2e/fixtures/reliability-figures.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';

/** A runtime whose WebGPU engine loses its device on the calls `lostOn` names (0-based). */
function gpuRuntime(options: { lostOn: number[]; reload?: 'works' | 'fails' | 'none' | 'loses-too' }) {
  const gpu = scriptedEngine(() => '42', { info: { device: 'webgpu' } });
  let calls = 0;
  const failing: Engine = {
    ...gpu,
    async generate(params) {
      if (options.lostOn.includes(calls++)) throw new DeviceLostError('The WebGPU device was lost (unknown): gone', { reason: 'unknown' });
      return gpu.generate(params);
    },
  };
  const reloads: string[] = [];
  const wasm = scriptedEngine(() => '42', { info: { device: 'wasm' } });
  const reloadOnWasm = async (): Promise<Engine> => {
    reloads.push('wasm');
    if (options.reload === 'fails') throw new EngineError('no memory left');
    if (options.reload === 'loses-too') return failing;
    return wasm;
  };
  const runtime = createLocalRuntime({
    models: [{ name: 'tiny-arith', entry: findModel('tiny-arith'), engine: failing, ...(options.reload === 'none' ? {} : { reloadOnWasm }) }],
    store: null,
  });
  return { runtime, reloads, wasm };
}

const ask = { prompt: '40+2', answer: { kind: 'number' as const } };

describe('a lost GPU device', () => {
  it('reloads the model on WASM once, runs the request again, and info() says why', async () => {
    const { runtime, reloads, wasm } = gpuRuntime({ lostOn: [0], reload: 'works' });
    expect(runtime.info()).toMatchObject({ device: 'webgpu', fallback: null });
    const before = runtime.info();
    const result = await runtime.solve(ask);
    expect(result.answer).toBe('42');
    expect(result.trace[0]).toMatchObject({ type: 'error', model: 'tiny-arith', name: 'DeviceLostError', status: null });
    expect(reloads).toEqual(['wasm']);
    expect(wasm.calls).toHaveLength(1);
    const after = runtime.info();
    expect(after).not.toBe(before);
    expect(after).toMatchObject({ device: 'wasm', models: { 'tiny-arith': { device: 'wasm' } } });
    expect(after.fallback).toMatch(/WebGPU device was lost \(unknown\) during generation; tiny-arith was loaded again on WASM/);
    // Later requests go straight to the WASM engine.
    await runtime.solve({ ...ask, prompt: '41+1' });
    expect(wasm.calls).toHaveLength(2);
    expect(reloads).toHaveLength(1);
  });

  it('many requests pending at the loss share one reload, and all answer', async () => {
    const { runtime, reloads } = gpuRuntime({ lostOn: [0, 1, 2, 3, 4, 5, 6, 7], reload: 'works' });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => runtime.solve({ ...ask, prompt: `${i}+42` })));
    expect(results.map((r) => r.answer)).toEqual(new Array(8).fill('42'));
    expect(reloads).toEqual(['wasm']);
    recordFigure('device-loss:scripted engine seam (8 pending requests)', { losses: 1, requests: 8, reloads: reloads.length });
  });

  it('a model that cannot run on WASM: DeviceLostError reaches the caller, typed, across the worker boundary too', async () => {
    const { runtime } = gpuRuntime({ lostOn: [0], reload: 'none' });
    const error = await runtime.solve(ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceLostError);
    const crossed = deserializeError(structuredClone(serializeError(error)));
    expect(crossed).toBeInstanceOf(DeviceLostError);
    expect(crossed).toBeInstanceOf(EngineError);
    expect((crossed as DeviceLostError).reason).toBe('unknown');
  });

  it('a reload that fails is a DeviceLostError saying so, and the next request tries again', async () => {
    const { runtime, reloads } = gpuRuntime({ lostOn: [0, 1], reload: 'fails' });
    await expect(runtime.solve(ask)).rejects.toThrow(/loading tiny-arith again on WASM failed: no memory left/);
    await expect(runtime.solve(ask)).rejects.toBeInstanceOf(DeviceLostError);
    expect(reloads).toHaveLength(2);
  });

  it('runs the request again once only', async () => {
    const { runtime, reloads } = gpuRuntime({ lostOn: [0, 1, 2], reload: 'loses-too' });
    await expect(runtime.solve(ask)).rejects.toBeInstanceOf(DeviceLostError);
    expect(reloads).toHaveLength(1);
  });
});

describe('the transformers.js adapter tells a lost device from other failures', () => {
  const hfWith = (device: unknown) => ({ env: { backends: { onnx: { webgpu: { device } } } } }) as never;

  it('by the device ONNX Runtime holds: its lost promise, even when the error comes first', async () => {
    let lose!: (info: { reason: string; message: string }) => void;
    const watch = watchDevice(hfWith({ lost: new Promise((resolve) => (lose = resolve)) }))!;
    expect(watch.lost()).toBeNull();
    // A read-back on a destroyed device fails before `lost` resolves.
    setTimeout(() => lose({ reason: 'destroyed', message: 'Device was destroyed.' }), 20);
    const lost = await asDeviceLost(new Error("Failed to execute 'mapAsync' on 'GPUBuffer': Buffer was unmapped before mapping was resolved"), watch);
    expect(lost).toBeInstanceOf(DeviceLostError);
    expect(lost!.reason).toBe('destroyed');
    expect(lost!.message).toMatch(/lost \(destroyed\): Device was destroyed/);
    expect(watch.lost()).toBe(lost);
  });

  it('by its message where nothing is watched, and not for our own errors or other failures', async () => {
    expect(isLostDeviceMessage('GPUDevice was lost: the GPU process crashed')).toBe(true);
    expect(isLostDeviceMessage('Device was destroyed.')).toBe(true);
    expect(await asDeviceLost(new Error('Device lost: DXGI_ERROR_DEVICE_REMOVED'), null)).toBeInstanceOf(DeviceLostError);
    expect(await asDeviceLost(new Error('invalid input shape'), null)).toBeNull();
    expect(await asDeviceLost(new EngineError('device was lost? no: a message we wrote'), null)).toBeNull();
    const idle = watchDevice(hfWith({ lost: new Promise(() => {}) }))!;
    const started = Date.now();
    expect(await asDeviceLost(new Error('out of range'), idle, 30)).toBeNull();
    expect(Date.now() - started).toBeLessThan(500);
    expect(watchDevice(hfWith(undefined))).toBeNull();
  });
});

describe('one failed session run does not poison transformers.js for good', () => {
  it('the failing call still fails with its own error; later runs of every session work', async () => {
    // transformers.js 4.3 in browsers: every run goes through one chain (`chain = chain.then(run)`).
    let chain: Promise<unknown> = Promise.resolve();
    const through = (run: () => Promise<unknown>) => (chain = chain.then(run));
    let fail = true;
    const session = { run: async (feeds: unknown) => (fail ? Promise.reject(new Error('failed to call OrtRun()')) : { logits: feeds }) };
    const lm = { sessions: { model: session } } as unknown as PreTrainedModel;
    guardSessions(lm);
    const first = (await through(() => session.run('a'))) as Record<string, unknown>;
    expect(() => first.logits).toThrow('failed to call OrtRun()');
    expect(() => Object.keys(first)).toThrow('failed to call OrtRun()');
    fail = false;
    await expect(through(() => session.run('b'))).resolves.toEqual({ logits: 'b' });
  });
});
