/** Model picker: the bundled model and the catalogue, sizes and memory, device notes, load progress. */
import { findModel, isAbortError, MODEL_CATALOG, probeWebGpu, type DeviceRequest, type GpuProbe, type ModelEntry } from '../browser.js';
import { h, replace } from '../ui/dom.js';
import { notesAfterLoad, notesBeforeLoad, type Note } from './device-notes.js';
import { formatMB } from '../ui/format.js';
import { createServerForm, describeLoadError } from './server-form.js';
import { SERVER_MODEL, type ServerChoice, type Session } from './session.js';

export interface ModelPicker {
  element: HTMLElement;
  /** Loads the selected model (the bundled one at start). */
  load(): Promise<void>;
}

const GROUPS: Array<{ label: string; test: (m: ModelEntry) => boolean }> = [
  { label: 'Bundled — works offline', test: (m) => m.bundled },
  { label: 'transformers.js (ONNX) — downloads', test: (m) => !m.bundled && m.engine === 'transformers' },
  { label: 'WebLLM (MLC, WebGPU) — downloads', test: (m) => !m.bundled && m.engine === 'webllm' },
];

export function createModelPicker(session: Session): ModelPicker {
  const gpuProbe: Promise<GpuProbe> = probeWebGpu();
  const modelSelect = h(
    'select',
    { id: 'model-select' },
    ...GROUPS.map((group) =>
      h('optgroup', { label: group.label }, ...MODEL_CATALOG.filter(group.test).map((m) => h('option', { value: m.id }, m.bundled ? m.label : `${m.label} — ${formatMB(m.downloadMB)}`))),
    ),
  );
  const deviceSelect = h(
    'select',
    { id: 'device-select' },
    h('option', { value: 'auto' }, 'Auto'),
    h('option', { value: 'webgpu' }, 'WebGPU'),
    h('option', { value: 'wasm' }, 'WASM (CPU)'),
  );
  const loadButton = h('button', { type: 'submit', id: 'model-load' }, 'Load model');
  const facts = h('p', { class: 'model-facts' });
  const notes = h('ul', { class: 'notes', id: 'device-notes', 'aria-live': 'polite' });
  const progress = h('progress', { id: 'model-progress', max: 1, value: 0, 'aria-label': 'Model loading' });
  const progressText = h('span', { class: 'progress-text' });
  const progressRow = h('div', { class: 'progress-row', hidden: true }, progress, progressText);
  const status = h('span', { class: 'status-chip', id: 'model-status', 'data-state': 'idle', role: 'status' }, 'No model loaded');
  const serverForm = createServerForm();

  const form = h(
    'form',
    { class: 'model-form' },
    h('div', { class: 'field grow' }, h('label', { for: 'model-select' }, 'Model'), modelSelect),
    h('div', { class: 'field' }, h('label', { for: 'device-select' }, 'Device'), deviceSelect),
    serverForm.element,
    h('div', { class: 'field actions' }, loadButton),
  );
  const element = h(
    'section',
    { class: 'card model-card', 'aria-labelledby': 'model-title' },
    h('div', { class: 'card-head' }, h('h2', { id: 'model-title' }, 'Model'), status),
    form,
    facts,
    progressRow,
    notes,
  );

  // What is loaded now, so choosing it again shows where it runs rather than what might happen.
  let loaded: { model: string; device: DeviceRequest; notes: Note[] } | null = null;

  function selected(): ModelEntry {
    return findModel(modelSelect.value);
  }

  function showNotes(list: Note[]): void {
    replace(notes, ...list.map((note) => h('li', { class: `note note-${note.level}` }, note.text)));
  }

  async function describeChoice(): Promise<boolean> {
    const model = selected();
    facts.textContent = [
      model.bundled ? `Bundled: ${formatMB(model.downloadMB)}, no download` : `Download ${formatMB(model.downloadMB)}`,
      `needs about ${formatMB(model.memoryMB)} of memory`,
      `context ${model.contextLength.toLocaleString('en')} tokens`,
      model.engine === 'webllm' ? 'WebLLM' : 'transformers.js',
      model.needsShaderF16 ? 'needs shader-f16' : null,
    ]
      .filter(Boolean)
      .join(' · ');
    const device = deviceSelect.value as DeviceRequest;
    const list = notesBeforeLoad(model, await gpuProbe, device);
    showNotes(loaded && loaded.model === model.id && loaded.device === device ? loaded.notes : list);
    const blocked = list.some((note) => note.level === 'error');
    loadButton.disabled = blocked;
    return !blocked;
  }

  function setStatus(state: 'idle' | 'loading' | 'ready' | 'error', text: string): void {
    status.dataset.state = state;
    status.textContent = text;
    // The chip cuts long text (a model on a server) with an ellipsis; the whole of it is one hover away.
    status.title = text;
  }

  let loads = 0;

  async function load(): Promise<void> {
    if (!(await describeChoice())) return;
    const model = selected();
    let server: ServerChoice | null;
    try {
      server = serverForm.value();
    } catch (error) {
      setStatus('error', 'Check the server');
      showNotes([{ level: 'error', text: error instanceof Error ? error.message : String(error) }]);
      return;
    }
    const mine = ++loads;
    const device = deviceSelect.value as DeviceRequest;
    loaded = null;
    setStatus('loading', `Loading ${model.id}${server ? ` and ${server.id}` : ''}…`);
    progressRow.hidden = false;
    progress.value = 0;
    progressText.textContent = 'Starting…';
    loadButton.disabled = true;
    try {
      const runtime = await session.load(model.id, device, (event) => {
        // Each file starts at 0: keep the bar moving forward.
        progress.value = Math.max(progress.value, Math.min(1, event.progress));
        progressText.textContent = event.text;
      }, server ?? undefined);
      const info = runtime.info();
      progress.value = 1;
      progressRow.hidden = true;
      const remote = info.models[SERVER_MODEL];
      setStatus('ready', `${info.model} · ${info.device}${remote ? ` + ${remote.model} on a server` : ''}`);
      loaded = { model: model.id, device, notes: notesAfterLoad(info) };
      showNotes(loaded.notes);
    } catch (error) {
      if (isAbortError(error)) return;
      progressRow.hidden = true;
      setStatus('error', 'Load failed');
      showNotes([{ level: 'error', text: describeLoadError(error, model.id, server) }]);
    } finally {
      // The latest load decides the button (describeChoice disables it for a choice that cannot load).
      if (mine === loads) loadButton.disabled = false;
    }
  }

  modelSelect.addEventListener('change', () => void describeChoice());
  deviceSelect.addEventListener('change', () => void describeChoice());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });

  return { element, load };
}
