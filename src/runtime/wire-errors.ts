import { transferHandlers, type TransferHandler } from 'comlink';
import { deserializeError, serializeError, type SerializedError } from '../errors.js';

/**
 * Comlink's own error handler keeps only name/message/stack and rebuilds a plain Error; ours carries
 * `details` and rebuilds the named class, so `instanceof InvalidRequestError` holds across the worker.
 * Installed on both sides of the boundary.
 */
export function installErrorTransfer(): void {
  const builtin = transferHandlers.get('throw') as TransferHandler<{ value: unknown }, unknown> | undefined;
  if (!builtin || (builtin as { secondThought?: boolean }).secondThought) return;
  const handler = {
    secondThought: true,
    canHandle: builtin.canHandle,
    serialize({ value }: { value: unknown }): [{ error: SerializedError }, Transferable[]] {
      return [{ error: serializeError(value) }, []];
    },
    deserialize(serialized: { error: SerializedError }): never {
      throw deserializeError(serialized.error);
    },
  };
  transferHandlers.set('throw', handler as unknown as TransferHandler<unknown, unknown>);
}
