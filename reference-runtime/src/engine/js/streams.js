// The WHATWG Streams standard: ReadableStream (default and byte streams, with default and BYOB
// readers, tee, pipes, async iteration and ReadableStream.from), WritableStream, TransformStream
// and the two queuing strategies.
//
// Each public object wraps an internal record, a plain object with the standard's internal slots
// under their standard names (`state`, `storedError`, `queue`, ...). The algorithms below take and
// return records, so user code that patches the public classes cannot change them. Streams and
// their readers and writers are I/O objects of the request that created them.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const {
  assertSameRequest,
  claimForCurrentRequest,
  concatBytes,
  isChunkInstance,
  markPromiseHandled,
  promiseThen,
  requireChunk,
  resolvedUndefined,
  toEnforcedUnsignedInteger,
  uponPromise,
} = core;

/** Creates a promise with its resolve and reject functions, and a flag set once it settled. */
function newDeferred() {
  const deferred = { promise: undefined, resolve: undefined, reject: undefined, settled: false };
  deferred.promise = new Promise((resolve, reject) => {
    deferred.resolve = (value) => {
      deferred.settled = true;
      resolve(value);
    };
    deferred.reject = (reason) => {
      deferred.settled = true;
      reject(reason);
    };
  });
  return deferred;
}

function resolvedDeferred(value) {
  const deferred = newDeferred();
  deferred.resolve(value);
  return deferred;
}

function rejectedDeferred(reason) {
  const deferred = newDeferred();
  deferred.reject(reason);
  markPromiseHandled(deferred.promise);
  return deferred;
}

/** Calls `method` with `thisArg` and returns a promise of its result, or of what it threw. */
function promiseCall(method, thisArg, args) {
  try {
    return Promise.resolve(method.apply(thisArg, args));
  } catch (error) {
    return Promise.reject(error);
  }
}

function queueStreamMicrotask(callback) {
  promiseThen.call(resolvedUndefined, callback);
}

// ---- Queue-with-sizes and strategies

function resetQueue(container) {
  container.queue = [];
  container.queueTotalSize = 0;
}

function dequeueValue(container) {
  const pair = container.queue.shift();
  container.queueTotalSize -= pair.size;
  // Rounding errors can leave a tiny negative total after many floating-point sizes.
  if (container.queueTotalSize < 0) {
    container.queueTotalSize = 0;
  }
  return pair.value;
}

function enqueueValueWithSize(container, value, size) {
  const number = Number(size);
  if (Number.isNaN(number) || number < 0 || number === Infinity) {
    throw new RangeError("The size of a chunk must be a finite, non-negative number.");
  }
  container.queue.push({ value, size: number });
  container.queueTotalSize += number;
}

function peekQueueValue(container) {
  return container.queue[0].value;
}

/** Reads a QueuingStrategy dictionary: `{ highWaterMark, size }` with the members converted. */
function readQueuingStrategy(strategy, what) {
  if (strategy === undefined || strategy === null) {
    return { highWaterMark: undefined, size: undefined };
  }
  if (typeof strategy !== "object" && typeof strategy !== "function") {
    throw new TypeError(`${what} must be an object.`);
  }
  const highWaterMark = strategy.highWaterMark;
  const size = strategy.size;
  if (size !== undefined && typeof size !== "function") {
    throw new TypeError(`The size member of ${what} must be a function.`);
  }
  return {
    highWaterMark: highWaterMark === undefined ? undefined : Number(highWaterMark),
    size,
  };
}

function extractHighWaterMark(strategy, defaultHighWaterMark) {
  if (strategy.highWaterMark === undefined) {
    return defaultHighWaterMark;
  }
  const highWaterMark = strategy.highWaterMark;
  if (Number.isNaN(highWaterMark) || highWaterMark < 0) {
    throw new RangeError("The highWaterMark of a queuing strategy must be a non-negative number.");
  }
  return highWaterMark;
}

function extractSizeAlgorithm(strategy) {
  const size = strategy.size;
  if (size === undefined) {
    return () => 1;
  }
  return (chunk) => size(chunk);
}

/** Reads a callback member of an underlying source, sink or transformer dictionary. */
function readCallbackMember(dictionary, name, what) {
  const value = dictionary[name];
  if (value !== undefined && typeof value !== "function") {
    throw new TypeError(`The ${name} member of ${what} must be a function.`);
  }
  return value;
}

// ---- ArrayBuffer helpers

function isDetachedBuffer(buffer) {
  return buffer.detached === true;
}

function transferArrayBuffer(buffer) {
  if (isDetachedBuffer(buffer)) {
    throw new TypeError("The ArrayBuffer is detached.");
  }
  return buffer.transfer();
}

function isArrayBufferView(value) {
  return ArrayBuffer.isView(value);
}

/** Element size in bytes and constructor of a view, as a byte stream's pull-into needs them. */
function viewShape(view) {
  if (view instanceof DataView) {
    return { elementSize: 1, viewConstructor: DataView };
  }
  return { elementSize: view.BYTES_PER_ELEMENT, viewConstructor: view.constructor };
}

function cloneAsUint8Array(view) {
  const copy = new Uint8Array(view.byteLength);
  copy.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return copy;
}

// ---- ReadableStream records

function newReadableStreamRecord() {
  return {
    object: undefined,
    state: "readable",
    reader: undefined,
    storedError: undefined,
    disturbed: false,
    controller: undefined,
  };
}

function isReadableStreamLocked(stream) {
  return stream.reader !== undefined;
}

function readableStreamHasDefaultReader(stream) {
  return stream.reader !== undefined && stream.reader.kind === "default";
}

function readableStreamHasBYOBReader(stream) {
  return stream.reader !== undefined && stream.reader.kind === "byob";
}

function readableStreamGetNumReadRequests(stream) {
  return stream.reader.readRequests.length;
}

function readableStreamGetNumReadIntoRequests(stream) {
  return stream.reader.readIntoRequests.length;
}

function readableStreamAddReadRequest(stream, readRequest) {
  stream.reader.readRequests.push(readRequest);
}

function readableStreamAddReadIntoRequest(stream, readIntoRequest) {
  stream.reader.readIntoRequests.push(readIntoRequest);
}

function readableStreamCancel(stream, reason) {
  stream.disturbed = true;
  if (stream.state === "closed") {
    return resolvedUndefined;
  }
  if (stream.state === "errored") {
    return Promise.reject(stream.storedError);
  }
  readableStreamClose(stream);
  const reader = stream.reader;
  if (reader !== undefined && reader.kind === "byob") {
    const readIntoRequests = reader.readIntoRequests;
    reader.readIntoRequests = [];
    for (const readIntoRequest of readIntoRequests) {
      readIntoRequest.close(undefined);
    }
  }
  const sourceCancelPromise = stream.controller.cancelSteps(reason);
  return uponPromise(sourceCancelPromise, () => undefined);
}

function readableStreamClose(stream) {
  stream.state = "closed";
  const reader = stream.reader;
  if (reader === undefined) {
    return;
  }
  reader.closed.resolve(undefined);
  if (reader.kind === "default") {
    const readRequests = reader.readRequests;
    reader.readRequests = [];
    for (const readRequest of readRequests) {
      readRequest.close();
    }
  }
}

function readableStreamError(stream, error) {
  stream.state = "errored";
  stream.storedError = error;
  const reader = stream.reader;
  if (reader === undefined) {
    return;
  }
  reader.closed.reject(error);
  markPromiseHandled(reader.closed.promise);
  if (reader.kind === "default") {
    readableStreamDefaultReaderErrorReadRequests(reader, error);
  } else {
    readableStreamBYOBReaderErrorReadIntoRequests(reader, error);
  }
}

function readableStreamFulfillReadRequest(stream, chunk, done) {
  const readRequest = stream.reader.readRequests.shift();
  if (done) {
    readRequest.close();
  } else {
    readRequest.chunk(chunk);
  }
}

function readableStreamFulfillReadIntoRequest(stream, chunk, done) {
  const readIntoRequest = stream.reader.readIntoRequests.shift();
  if (done) {
    readIntoRequest.close(chunk);
  } else {
    readIntoRequest.chunk(chunk);
  }
}

// ---- Readers

function readableStreamReaderGenericInitialize(reader, stream) {
  reader.stream = stream;
  stream.reader = reader;
  if (stream.state === "readable") {
    reader.closed = newDeferred();
  } else if (stream.state === "closed") {
    reader.closed = resolvedDeferred(undefined);
  } else {
    reader.closed = rejectedDeferred(stream.storedError);
  }
}

function readableStreamReaderGenericCancel(reader, reason) {
  return readableStreamCancel(reader.stream, reason);
}

function readableStreamReaderGenericRelease(reader) {
  const stream = reader.stream;
  const error = new TypeError(
    "This reader has been released, so its stream is no longer readable through it.",
  );
  if (stream.state === "readable" && !reader.closed.settled) {
    reader.closed.reject(error);
  } else {
    reader.closed = rejectedDeferred(error);
  }
  markPromiseHandled(reader.closed.promise);
  stream.controller.releaseSteps();
  stream.reader = undefined;
  reader.stream = undefined;
}

function newDefaultReaderRecord() {
  return {
    kind: "default",
    object: undefined,
    stream: undefined,
    closed: undefined,
    readRequests: [],
  };
}

function newBYOBReaderRecord() {
  return {
    kind: "byob",
    object: undefined,
    stream: undefined,
    closed: undefined,
    readIntoRequests: [],
  };
}

function setUpReadableStreamDefaultReader(reader, stream) {
  if (isReadableStreamLocked(stream)) {
    throw new TypeError(STREAM_LOCKED_MESSAGE);
  }
  readableStreamReaderGenericInitialize(reader, stream);
  reader.readRequests = [];
}

function setUpReadableStreamBYOBReader(reader, stream) {
  if (isReadableStreamLocked(stream)) {
    throw new TypeError(STREAM_LOCKED_MESSAGE);
  }
  if (stream.controller.kind !== "byte") {
    throw new TypeError("A BYOB reader can only be created for a byte stream (type: 'bytes').");
  }
  readableStreamReaderGenericInitialize(reader, stream);
  reader.readIntoRequests = [];
}

function acquireReadableStreamDefaultReader(stream) {
  const reader = newDefaultReaderRecord();
  setUpReadableStreamDefaultReader(reader, stream);
  return reader;
}

function acquireReadableStreamBYOBReader(stream) {
  const reader = newBYOBReaderRecord();
  setUpReadableStreamBYOBReader(reader, stream);
  return reader;
}

function readableStreamDefaultReaderRead(reader, readRequest) {
  const stream = reader.stream;
  stream.disturbed = true;
  if (stream.state === "closed") {
    readRequest.close();
  } else if (stream.state === "errored") {
    readRequest.error(stream.storedError);
  } else {
    stream.controller.pullSteps(readRequest);
  }
}

function readableStreamDefaultReaderErrorReadRequests(reader, error) {
  const readRequests = reader.readRequests;
  reader.readRequests = [];
  for (const readRequest of readRequests) {
    readRequest.error(error);
  }
}

function readableStreamDefaultReaderRelease(reader) {
  readableStreamReaderGenericRelease(reader);
  readableStreamDefaultReaderErrorReadRequests(
    reader,
    new TypeError("The reader was released while a read was pending."),
  );
}

function readableStreamBYOBReaderRead(reader, view, min, readIntoRequest) {
  const stream = reader.stream;
  stream.disturbed = true;
  if (stream.state === "errored") {
    readIntoRequest.error(stream.storedError);
  } else {
    readableByteStreamControllerPullInto(stream.controller, view, min, readIntoRequest);
  }
}

function readableStreamBYOBReaderErrorReadIntoRequests(reader, error) {
  const readIntoRequests = reader.readIntoRequests;
  reader.readIntoRequests = [];
  for (const readIntoRequest of readIntoRequests) {
    readIntoRequest.error(error);
  }
}

function readableStreamBYOBReaderRelease(reader) {
  readableStreamReaderGenericRelease(reader);
  readableStreamBYOBReaderErrorReadIntoRequests(
    reader,
    new TypeError("The reader was released while a read was pending."),
  );
}

/** Returns a read request that settles `deferred` with a `{ value, done }` result. */
function promiseReadRequest(deferred) {
  return {
    chunk: (chunk) => deferred.resolve({ value: chunk, done: false }),
    close: () => deferred.resolve({ value: undefined, done: true }),
    error: (error) => deferred.reject(error),
  };
}

// ---- ReadableStreamDefaultController

function readableStreamDefaultControllerCallPullIfNeeded(controller) {
  if (!readableStreamDefaultControllerShouldCallPull(controller)) {
    return;
  }
  if (controller.pulling) {
    controller.pullAgain = true;
    return;
  }
  controller.pulling = true;
  uponPromise(
    controller.pullAlgorithm(),
    () => {
      controller.pulling = false;
      if (controller.pullAgain) {
        controller.pullAgain = false;
        readableStreamDefaultControllerCallPullIfNeeded(controller);
      }
    },
    (error) => readableStreamDefaultControllerError(controller, error),
  );
}

function readableStreamDefaultControllerShouldCallPull(controller) {
  const stream = controller.stream;
  if (!readableStreamDefaultControllerCanCloseOrEnqueue(controller) || !controller.started) {
    return false;
  }
  if (isReadableStreamLocked(stream) && readableStreamGetNumReadRequests(stream) > 0) {
    return true;
  }
  return readableStreamDefaultControllerGetDesiredSize(controller) > 0;
}

function readableStreamDefaultControllerClearAlgorithms(controller) {
  controller.pullAlgorithm = undefined;
  controller.cancelAlgorithm = undefined;
  controller.strategySizeAlgorithm = undefined;
}

function readableStreamDefaultControllerClose(controller) {
  if (!readableStreamDefaultControllerCanCloseOrEnqueue(controller)) {
    return;
  }
  controller.closeRequested = true;
  if (controller.queue.length === 0) {
    readableStreamDefaultControllerClearAlgorithms(controller);
    readableStreamClose(controller.stream);
  }
}

function readableStreamDefaultControllerEnqueue(controller, chunk) {
  if (!readableStreamDefaultControllerCanCloseOrEnqueue(controller)) {
    return;
  }
  const stream = controller.stream;
  if (isReadableStreamLocked(stream) && readableStreamGetNumReadRequests(stream) > 0) {
    readableStreamFulfillReadRequest(stream, chunk, false);
  } else {
    let chunkSize;
    try {
      chunkSize = controller.strategySizeAlgorithm(chunk);
      enqueueValueWithSize(controller, chunk, chunkSize);
    } catch (error) {
      readableStreamDefaultControllerError(controller, error);
      throw error;
    }
  }
  readableStreamDefaultControllerCallPullIfNeeded(controller);
}

function readableStreamDefaultControllerError(controller, error) {
  const stream = controller.stream;
  if (stream.state !== "readable") {
    return;
  }
  resetQueue(controller);
  readableStreamDefaultControllerClearAlgorithms(controller);
  readableStreamError(stream, error);
}

function readableStreamDefaultControllerGetDesiredSize(controller) {
  const state = controller.stream.state;
  if (state === "errored") {
    return null;
  }
  if (state === "closed") {
    return 0;
  }
  return controller.strategyHWM - controller.queueTotalSize;
}

function readableStreamDefaultControllerHasBackpressure(controller) {
  return !readableStreamDefaultControllerShouldCallPull(controller);
}

function readableStreamDefaultControllerCanCloseOrEnqueue(controller) {
  return !controller.closeRequested && controller.stream.state === "readable";
}

function newDefaultControllerRecord() {
  const controller = {
    kind: "default",
    object: undefined,
    stream: undefined,
    queue: [],
    queueTotalSize: 0,
    started: false,
    closeRequested: false,
    pullAgain: false,
    pulling: false,
    strategySizeAlgorithm: undefined,
    strategyHWM: 0,
    pullAlgorithm: undefined,
    cancelAlgorithm: undefined,
  };
  controller.cancelSteps = (reason) => {
    resetQueue(controller);
    const result = controller.cancelAlgorithm(reason);
    readableStreamDefaultControllerClearAlgorithms(controller);
    return result;
  };
  controller.pullSteps = (readRequest) => {
    const stream = controller.stream;
    if (controller.queue.length > 0) {
      const chunk = dequeueValue(controller);
      if (controller.closeRequested && controller.queue.length === 0) {
        readableStreamDefaultControllerClearAlgorithms(controller);
        readableStreamClose(stream);
      } else {
        readableStreamDefaultControllerCallPullIfNeeded(controller);
      }
      readRequest.chunk(chunk);
    } else {
      readableStreamAddReadRequest(stream, readRequest);
      readableStreamDefaultControllerCallPullIfNeeded(controller);
    }
  };
  controller.releaseSteps = () => {};
  return controller;
}

function setUpReadableStreamDefaultController(
  stream,
  controller,
  startAlgorithm,
  pullAlgorithm,
  cancelAlgorithm,
  highWaterMark,
  sizeAlgorithm,
) {
  controller.stream = stream;
  resetQueue(controller);
  controller.started = false;
  controller.closeRequested = false;
  controller.pullAgain = false;
  controller.pulling = false;
  controller.strategySizeAlgorithm = sizeAlgorithm;
  controller.strategyHWM = highWaterMark;
  controller.pullAlgorithm = pullAlgorithm;
  controller.cancelAlgorithm = cancelAlgorithm;
  stream.controller = controller;
  const startResult = startAlgorithm();
  uponPromise(
    Promise.resolve(startResult),
    () => {
      controller.started = true;
      readableStreamDefaultControllerCallPullIfNeeded(controller);
    },
    (error) => readableStreamDefaultControllerError(controller, error),
  );
}

// ---- ReadableByteStreamController

function newByteControllerRecord() {
  const controller = {
    kind: "byte",
    object: undefined,
    stream: undefined,
    queue: [],
    queueTotalSize: 0,
    started: false,
    closeRequested: false,
    pullAgain: false,
    pulling: false,
    strategyHWM: 0,
    pullAlgorithm: undefined,
    cancelAlgorithm: undefined,
    autoAllocateChunkSize: undefined,
    pendingPullIntos: [],
    byobRequest: null,
  };
  controller.cancelSteps = (reason) => {
    readableByteStreamControllerClearPendingPullIntos(controller);
    resetQueue(controller);
    const result = controller.cancelAlgorithm(reason);
    readableByteStreamControllerClearAlgorithms(controller);
    return result;
  };
  controller.pullSteps = (readRequest) => {
    const stream = controller.stream;
    if (controller.queueTotalSize > 0) {
      readableByteStreamControllerFillReadRequestFromQueue(controller, readRequest);
      return;
    }
    const autoAllocateChunkSize = controller.autoAllocateChunkSize;
    if (autoAllocateChunkSize !== undefined) {
      let buffer;
      try {
        buffer = new ArrayBuffer(autoAllocateChunkSize);
      } catch (error) {
        readRequest.error(error);
        return;
      }
      controller.pendingPullIntos.push({
        buffer,
        bufferByteLength: autoAllocateChunkSize,
        byteOffset: 0,
        byteLength: autoAllocateChunkSize,
        bytesFilled: 0,
        minimumFill: 1,
        elementSize: 1,
        viewConstructor: Uint8Array,
        readerType: "default",
      });
    }
    readableStreamAddReadRequest(stream, readRequest);
    readableByteStreamControllerCallPullIfNeeded(controller);
  };
  controller.releaseSteps = () => {
    if (controller.pendingPullIntos.length > 0) {
      const first = controller.pendingPullIntos[0];
      first.readerType = "none";
      controller.pendingPullIntos = [first];
    }
  };
  return controller;
}

function readableByteStreamControllerCallPullIfNeeded(controller) {
  if (!readableByteStreamControllerShouldCallPull(controller)) {
    return;
  }
  if (controller.pulling) {
    controller.pullAgain = true;
    return;
  }
  controller.pulling = true;
  uponPromise(
    controller.pullAlgorithm(),
    () => {
      controller.pulling = false;
      if (controller.pullAgain) {
        controller.pullAgain = false;
        readableByteStreamControllerCallPullIfNeeded(controller);
      }
    },
    (error) => readableByteStreamControllerError(controller, error),
  );
}

function readableByteStreamControllerShouldCallPull(controller) {
  const stream = controller.stream;
  if (stream.state !== "readable" || controller.closeRequested || !controller.started) {
    return false;
  }
  if (readableStreamHasDefaultReader(stream) && readableStreamGetNumReadRequests(stream) > 0) {
    return true;
  }
  if (readableStreamHasBYOBReader(stream) && readableStreamGetNumReadIntoRequests(stream) > 0) {
    return true;
  }
  return readableByteStreamControllerGetDesiredSize(controller) > 0;
}

function readableByteStreamControllerClearAlgorithms(controller) {
  controller.pullAlgorithm = undefined;
  controller.cancelAlgorithm = undefined;
}

function readableByteStreamControllerClearPendingPullIntos(controller) {
  readableByteStreamControllerInvalidateBYOBRequest(controller);
  controller.pendingPullIntos = [];
}

function readableByteStreamControllerClose(controller) {
  const stream = controller.stream;
  if (controller.closeRequested || stream.state !== "readable") {
    return;
  }
  if (controller.queueTotalSize > 0) {
    controller.closeRequested = true;
    return;
  }
  const first = controller.pendingPullIntos[0];
  if (first !== undefined && first.bytesFilled % first.elementSize !== 0) {
    const error = new TypeError(
      "The stream closed with a partially filled element of a BYOB view.",
    );
    readableByteStreamControllerError(controller, error);
    throw error;
  }
  readableByteStreamControllerClearAlgorithms(controller);
  readableStreamClose(stream);
  // Like workerd, pending BYOB reads end with done: true when the stream closes. The standard
  // leaves them pending until the source calls byobRequest.respond(0). A view whose buffer is
  // detached is still lent out (a tee reads into it), and its borrower responds instead.
  if (first !== undefined && !isDetachedBuffer(first.buffer)) {
    readableByteStreamControllerInvalidateBYOBRequest(controller);
    readableByteStreamControllerRespondInClosedState(controller, first);
  }
}

function readableByteStreamControllerCommitPullIntoDescriptor(stream, pullIntoDescriptor) {
  let done = false;
  if (stream.state === "closed") {
    done = true;
  }
  const filledView = readableByteStreamControllerConvertPullIntoDescriptor(pullIntoDescriptor);
  if (pullIntoDescriptor.readerType === "default") {
    readableStreamFulfillReadRequest(stream, filledView, done);
  } else {
    readableStreamFulfillReadIntoRequest(stream, filledView, done);
  }
}

function readableByteStreamControllerConvertPullIntoDescriptor(pullIntoDescriptor) {
  const { bytesFilled, elementSize } = pullIntoDescriptor;
  const buffer = transferArrayBuffer(pullIntoDescriptor.buffer);
  return new pullIntoDescriptor.viewConstructor(
    buffer,
    pullIntoDescriptor.byteOffset,
    bytesFilled / elementSize,
  );
}

function readableByteStreamControllerEnqueue(controller, chunk) {
  const stream = controller.stream;
  if (controller.closeRequested || stream.state !== "readable") {
    return;
  }
  const { buffer, byteOffset, byteLength } = chunk;
  if (isDetachedBuffer(buffer)) {
    throw new TypeError("The chunk's ArrayBuffer is detached.");
  }
  const transferredBuffer = transferArrayBuffer(buffer);
  if (controller.pendingPullIntos.length > 0) {
    const first = controller.pendingPullIntos[0];
    if (isDetachedBuffer(first.buffer)) {
      throw new TypeError("The BYOB request's ArrayBuffer is detached.");
    }
    readableByteStreamControllerInvalidateBYOBRequest(controller);
    first.buffer = transferArrayBuffer(first.buffer);
    if (first.readerType === "none") {
      readableByteStreamControllerEnqueueDetachedPullIntoToQueue(controller, first);
    }
  }
  if (readableStreamHasDefaultReader(stream)) {
    readableByteStreamControllerProcessReadRequestsUsingQueue(controller);
    if (readableStreamGetNumReadRequests(stream) === 0) {
      readableByteStreamControllerEnqueueChunkToQueue(
        controller,
        transferredBuffer,
        byteOffset,
        byteLength,
      );
    } else {
      if (controller.pendingPullIntos.length > 0) {
        readableByteStreamControllerShiftPendingPullInto(controller);
      }
      const transferredView = new Uint8Array(transferredBuffer, byteOffset, byteLength);
      readableStreamFulfillReadRequest(stream, transferredView, false);
    }
  } else if (readableStreamHasBYOBReader(stream)) {
    readableByteStreamControllerEnqueueChunkToQueue(
      controller,
      transferredBuffer,
      byteOffset,
      byteLength,
    );
    const filledPullIntos =
      readableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(controller);
    for (const filledPullInto of filledPullIntos) {
      readableByteStreamControllerCommitPullIntoDescriptor(stream, filledPullInto);
    }
  } else {
    readableByteStreamControllerEnqueueChunkToQueue(
      controller,
      transferredBuffer,
      byteOffset,
      byteLength,
    );
  }
  readableByteStreamControllerCallPullIfNeeded(controller);
}

function readableByteStreamControllerEnqueueChunkToQueue(
  controller,
  buffer,
  byteOffset,
  byteLength,
) {
  controller.queue.push({ buffer, byteOffset, byteLength });
  controller.queueTotalSize += byteLength;
}

function readableByteStreamControllerEnqueueClonedChunkToQueue(
  controller,
  buffer,
  byteOffset,
  byteLength,
) {
  let clone;
  try {
    clone = buffer.slice(byteOffset, byteOffset + byteLength);
  } catch (error) {
    readableByteStreamControllerError(controller, error);
    throw error;
  }
  readableByteStreamControllerEnqueueChunkToQueue(controller, clone, 0, byteLength);
}

function readableByteStreamControllerEnqueueDetachedPullIntoToQueue(
  controller,
  pullIntoDescriptor,
) {
  if (pullIntoDescriptor.bytesFilled > 0) {
    readableByteStreamControllerEnqueueClonedChunkToQueue(
      controller,
      pullIntoDescriptor.buffer,
      pullIntoDescriptor.byteOffset,
      pullIntoDescriptor.bytesFilled,
    );
  }
  readableByteStreamControllerShiftPendingPullInto(controller);
}

function readableByteStreamControllerError(controller, error) {
  const stream = controller.stream;
  if (stream.state !== "readable") {
    return;
  }
  readableByteStreamControllerClearPendingPullIntos(controller);
  resetQueue(controller);
  readableByteStreamControllerClearAlgorithms(controller);
  readableStreamError(stream, error);
}

function readableByteStreamControllerFillHeadPullIntoDescriptor(
  controller,
  size,
  pullIntoDescriptor,
) {
  pullIntoDescriptor.bytesFilled += size;
}

function readableByteStreamControllerFillPullIntoDescriptorFromQueue(
  controller,
  pullIntoDescriptor,
) {
  const maxBytesToCopy = Math.min(
    controller.queueTotalSize,
    pullIntoDescriptor.byteLength - pullIntoDescriptor.bytesFilled,
  );
  const maxBytesFilled = pullIntoDescriptor.bytesFilled + maxBytesToCopy;
  let totalBytesToCopyRemaining = maxBytesToCopy;
  let ready = false;
  const maxAlignedBytes = maxBytesFilled - (maxBytesFilled % pullIntoDescriptor.elementSize);
  if (maxAlignedBytes >= pullIntoDescriptor.minimumFill) {
    totalBytesToCopyRemaining = maxAlignedBytes - pullIntoDescriptor.bytesFilled;
    ready = true;
  }
  const queue = controller.queue;
  while (totalBytesToCopyRemaining > 0) {
    const head = queue[0];
    const bytesToCopy = Math.min(totalBytesToCopyRemaining, head.byteLength);
    const destinationStart = pullIntoDescriptor.byteOffset + pullIntoDescriptor.bytesFilled;
    new Uint8Array(pullIntoDescriptor.buffer, destinationStart, bytesToCopy).set(
      new Uint8Array(head.buffer, head.byteOffset, bytesToCopy),
    );
    if (head.byteLength === bytesToCopy) {
      queue.shift();
    } else {
      head.byteOffset += bytesToCopy;
      head.byteLength -= bytesToCopy;
    }
    controller.queueTotalSize -= bytesToCopy;
    readableByteStreamControllerFillHeadPullIntoDescriptor(
      controller,
      bytesToCopy,
      pullIntoDescriptor,
    );
    totalBytesToCopyRemaining -= bytesToCopy;
  }
  return ready;
}

function readableByteStreamControllerFillReadRequestFromQueue(controller, readRequest) {
  const entry = controller.queue.shift();
  controller.queueTotalSize -= entry.byteLength;
  readableByteStreamControllerHandleQueueDrain(controller);
  readRequest.chunk(new Uint8Array(entry.buffer, entry.byteOffset, entry.byteLength));
}

function readableByteStreamControllerGetBYOBRequest(controller) {
  if (controller.byobRequest === null && controller.pendingPullIntos.length > 0) {
    const first = controller.pendingPullIntos[0];
    const view = new Uint8Array(
      first.buffer,
      first.byteOffset + first.bytesFilled,
      first.byteLength - first.bytesFilled,
    );
    const request = { object: undefined, controller, view };
    request.object = wrapBYOBRequest(request);
    controller.byobRequest = request;
  }
  return controller.byobRequest;
}

function readableByteStreamControllerGetDesiredSize(controller) {
  const state = controller.stream.state;
  if (state === "errored") {
    return null;
  }
  if (state === "closed") {
    return 0;
  }
  return controller.strategyHWM - controller.queueTotalSize;
}

function readableByteStreamControllerHandleQueueDrain(controller) {
  if (controller.queueTotalSize === 0 && controller.closeRequested) {
    readableByteStreamControllerClearAlgorithms(controller);
    readableStreamClose(controller.stream);
  } else {
    readableByteStreamControllerCallPullIfNeeded(controller);
  }
}

function readableByteStreamControllerInvalidateBYOBRequest(controller) {
  if (controller.byobRequest === null) {
    return;
  }
  controller.byobRequest.controller = undefined;
  controller.byobRequest.view = null;
  controller.byobRequest = null;
}

function readableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(controller) {
  const filledPullIntos = [];
  while (controller.pendingPullIntos.length > 0) {
    if (controller.queueTotalSize === 0) {
      break;
    }
    const pullIntoDescriptor = controller.pendingPullIntos[0];
    if (
      readableByteStreamControllerFillPullIntoDescriptorFromQueue(controller, pullIntoDescriptor)
    ) {
      readableByteStreamControllerShiftPendingPullInto(controller);
      filledPullIntos.push(pullIntoDescriptor);
    }
  }
  return filledPullIntos;
}

function readableByteStreamControllerProcessReadRequestsUsingQueue(controller) {
  const reader = controller.stream.reader;
  while (reader.readRequests.length > 0) {
    if (controller.queueTotalSize === 0) {
      return;
    }
    const readRequest = reader.readRequests.shift();
    readableByteStreamControllerFillReadRequestFromQueue(controller, readRequest);
  }
}

function readableByteStreamControllerPullInto(controller, view, min, readIntoRequest) {
  const stream = controller.stream;
  const { elementSize, viewConstructor } = viewShape(view);
  const minimumFill = min * elementSize;
  const byteOffset = view.byteOffset;
  const byteLength = view.byteLength;
  let buffer;
  try {
    buffer = transferArrayBuffer(view.buffer);
  } catch (error) {
    readIntoRequest.error(error);
    return;
  }
  const pullIntoDescriptor = {
    buffer,
    bufferByteLength: buffer.byteLength,
    byteOffset,
    byteLength,
    bytesFilled: 0,
    minimumFill,
    elementSize,
    viewConstructor,
    readerType: "byob",
  };

  if (controller.pendingPullIntos.length > 0) {
    controller.pendingPullIntos.push(pullIntoDescriptor);
    readableStreamAddReadIntoRequest(stream, readIntoRequest);
    return;
  }
  if (stream.state === "closed") {
    readIntoRequest.close(
      new viewConstructor(pullIntoDescriptor.buffer, pullIntoDescriptor.byteOffset, 0),
    );
    return;
  }
  if (controller.queueTotalSize > 0) {
    if (
      readableByteStreamControllerFillPullIntoDescriptorFromQueue(controller, pullIntoDescriptor)
    ) {
      const filledView = readableByteStreamControllerConvertPullIntoDescriptor(pullIntoDescriptor);
      readableByteStreamControllerHandleQueueDrain(controller);
      readIntoRequest.chunk(filledView);
      return;
    }
    if (controller.closeRequested) {
      const error = new TypeError("The stream is closing and cannot fill the BYOB view.");
      readableByteStreamControllerError(controller, error);
      readIntoRequest.error(error);
      return;
    }
  }
  controller.pendingPullIntos.push(pullIntoDescriptor);
  readableStreamAddReadIntoRequest(stream, readIntoRequest);
  readableByteStreamControllerCallPullIfNeeded(controller);
}

function readableByteStreamControllerRespond(controller, bytesWritten) {
  const first = controller.pendingPullIntos[0];
  const state = controller.stream.state;
  if (state === "closed") {
    if (bytesWritten !== 0) {
      throw new TypeError("bytesWritten must be 0 once the stream is closed.");
    }
  } else {
    if (bytesWritten === 0) {
      throw new TypeError("bytesWritten must be greater than 0 while the stream is readable.");
    }
    if (first.bytesFilled + bytesWritten > first.byteLength) {
      throw new RangeError("bytesWritten is larger than the BYOB view.");
    }
  }
  first.buffer = transferArrayBuffer(first.buffer);
  readableByteStreamControllerRespondInternal(controller, bytesWritten);
}

function readableByteStreamControllerRespondInClosedState(controller, first) {
  if (first.readerType === "none") {
    readableByteStreamControllerShiftPendingPullInto(controller);
  }
  const stream = controller.stream;
  if (readableStreamHasBYOBReader(stream)) {
    const filledPullIntos = [];
    while (filledPullIntos.length < readableStreamGetNumReadIntoRequests(stream)) {
      filledPullIntos.push(readableByteStreamControllerShiftPendingPullInto(controller));
    }
    for (const filledPullInto of filledPullIntos) {
      readableByteStreamControllerCommitPullIntoDescriptor(stream, filledPullInto);
    }
  }
}

function readableByteStreamControllerRespondInReadableState(
  controller,
  bytesWritten,
  pullIntoDescriptor,
) {
  readableByteStreamControllerFillHeadPullIntoDescriptor(
    controller,
    bytesWritten,
    pullIntoDescriptor,
  );
  const stream = controller.stream;
  if (pullIntoDescriptor.readerType === "none") {
    readableByteStreamControllerEnqueueDetachedPullIntoToQueue(controller, pullIntoDescriptor);
    const filledPullIntos =
      readableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(controller);
    for (const filledPullInto of filledPullIntos) {
      readableByteStreamControllerCommitPullIntoDescriptor(stream, filledPullInto);
    }
    return;
  }
  if (pullIntoDescriptor.bytesFilled < pullIntoDescriptor.minimumFill) {
    return;
  }
  readableByteStreamControllerShiftPendingPullInto(controller);
  const remainderSize = pullIntoDescriptor.bytesFilled % pullIntoDescriptor.elementSize;
  if (remainderSize > 0) {
    const end = pullIntoDescriptor.byteOffset + pullIntoDescriptor.bytesFilled;
    readableByteStreamControllerEnqueueClonedChunkToQueue(
      controller,
      pullIntoDescriptor.buffer,
      end - remainderSize,
      remainderSize,
    );
  }
  pullIntoDescriptor.bytesFilled -= remainderSize;
  const filledPullIntos =
    readableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(controller);
  readableByteStreamControllerCommitPullIntoDescriptor(stream, pullIntoDescriptor);
  for (const filledPullInto of filledPullIntos) {
    readableByteStreamControllerCommitPullIntoDescriptor(stream, filledPullInto);
  }
}

function readableByteStreamControllerRespondInternal(controller, bytesWritten) {
  const first = controller.pendingPullIntos[0];
  readableByteStreamControllerInvalidateBYOBRequest(controller);
  if (controller.stream.state === "closed") {
    readableByteStreamControllerRespondInClosedState(controller, first);
  } else {
    readableByteStreamControllerRespondInReadableState(controller, bytesWritten, first);
  }
  readableByteStreamControllerCallPullIfNeeded(controller);
}

function readableByteStreamControllerRespondWithNewView(controller, view) {
  const first = controller.pendingPullIntos[0];
  const state = controller.stream.state;
  if (state === "closed") {
    if (view.byteLength !== 0) {
      throw new TypeError("The view must be empty once the stream is closed.");
    }
  } else if (view.byteLength === 0) {
    throw new TypeError("The view must not be empty while the stream is readable.");
  }
  if (first.byteOffset + first.bytesFilled !== view.byteOffset) {
    throw new RangeError("The view must start where the BYOB request's view starts.");
  }
  if (first.bufferByteLength !== view.buffer.byteLength) {
    throw new RangeError("The view's buffer must have the length of the BYOB request's buffer.");
  }
  if (first.bytesFilled + view.byteLength > first.byteLength) {
    throw new RangeError("The view is larger than the BYOB request's view.");
  }
  const viewByteLength = view.byteLength;
  first.buffer = transferArrayBuffer(view.buffer);
  readableByteStreamControllerRespondInternal(controller, viewByteLength);
}

function readableByteStreamControllerShiftPendingPullInto(controller) {
  return controller.pendingPullIntos.shift();
}

function setUpReadableByteStreamController(
  stream,
  controller,
  startAlgorithm,
  pullAlgorithm,
  cancelAlgorithm,
  highWaterMark,
  autoAllocateChunkSize,
) {
  controller.stream = stream;
  controller.pullAgain = false;
  controller.pulling = false;
  controller.byobRequest = null;
  resetQueue(controller);
  controller.closeRequested = false;
  controller.started = false;
  controller.strategyHWM = highWaterMark;
  controller.pullAlgorithm = pullAlgorithm;
  controller.cancelAlgorithm = cancelAlgorithm;
  controller.autoAllocateChunkSize = autoAllocateChunkSize;
  controller.pendingPullIntos = [];
  stream.controller = controller;
  const startResult = startAlgorithm();
  uponPromise(
    Promise.resolve(startResult),
    () => {
      controller.started = true;
      readableByteStreamControllerCallPullIfNeeded(controller);
    },
    (error) => readableByteStreamControllerError(controller, error),
  );
}

// ---- Creating readable streams from internal algorithms

function createReadableStream(
  startAlgorithm,
  pullAlgorithm,
  cancelAlgorithm,
  highWaterMark = 1,
  sizeAlgorithm = () => 1,
) {
  const stream = newReadableStreamRecord();
  wrapReadableStream(stream);
  const controller = newDefaultControllerRecord();
  controller.object = wrapDefaultController(controller);
  setUpReadableStreamDefaultController(
    stream,
    controller,
    startAlgorithm,
    pullAlgorithm,
    cancelAlgorithm,
    highWaterMark,
    sizeAlgorithm,
  );
  return stream;
}

function createReadableByteStream(startAlgorithm, pullAlgorithm, cancelAlgorithm) {
  const stream = newReadableStreamRecord();
  wrapReadableStream(stream);
  const controller = newByteControllerRecord();
  controller.object = wrapByteController(controller);
  setUpReadableByteStreamController(
    stream,
    controller,
    startAlgorithm,
    pullAlgorithm,
    cancelAlgorithm,
    0,
    undefined,
  );
  return stream;
}

/** Sources of the byte streams made from bytes that are already in memory, by stream record. */
const bufferedStreamSources = new WeakMap();

/**
 * Creates a byte stream over `bytes`, which it never changes: the first pull enqueues a copy
 * and closes. Until then `bufferedStreamBytes` can hand the bytes over without reading.
 */
function createBufferedByteStream(bytes) {
  const source = { bytes, pulled: false };
  const stream = createReadableByteStream(
    () => undefined,
    (controller) => {
      if (!source.pulled) {
        source.pulled = true;
        if (source.bytes.byteLength > 0) {
          readableByteStreamControllerEnqueue(stream.controller, source.bytes.slice());
        }
        readableByteStreamControllerClose(stream.controller);
      }
      return resolvedUndefined;
    },
    () => {
      source.pulled = true;
      return resolvedUndefined;
    },
  );
  bufferedStreamSources.set(stream, source);
  return stream;
}

/**
 * Returns the bytes of a stream made by `createBufferedByteStream` that nothing has read,
 * locked or cancelled yet, or null for any other stream.
 */
function bufferedStreamBytes(stream) {
  const source = bufferedStreamSources.get(stream);
  if (source === undefined || source.pulled || stream.disturbed || isReadableStreamLocked(stream)) {
    return null;
  }
  return source.bytes;
}

/** Marks a stream as read to the end without reading it, for a body whose bytes were taken. */
function markStreamConsumed(stream) {
  const source = bufferedStreamSources.get(stream);
  if (source !== undefined) {
    source.pulled = true;
  }
  stream.disturbed = true;
  acquireReadableStreamDefaultReader(stream);
}

/**
 * Reads a stream to the end and returns a promise of its bytes. Every chunk must be an
 * ArrayBuffer or an ArrayBuffer view; anything else rejects with a TypeError and cancels.
 */
function readAllBytes(stream) {
  const reader = acquireReadableStreamDefaultReader(stream);
  const chunks = [];
  const done = newDeferred();
  const readNext = () => {
    readableStreamDefaultReaderRead(reader, {
      chunk: (chunk) => {
        let bytes;
        if (chunk instanceof ArrayBuffer) {
          bytes = new Uint8Array(chunk);
        } else if (isArrayBufferView(chunk)) {
          bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        } else {
          const error = new TypeError(
            "This ReadableStream did not return bytes. A body stream must produce ArrayBuffer or ArrayBufferView chunks.",
          );
          readableStreamReaderGenericCancel(reader, error);
          done.reject(error);
          return;
        }
        chunks.push(bytes.slice());
        queueStreamMicrotask(readNext);
      },
      close: () => done.resolve(concatBytes(chunks)),
      error: (error) => done.reject(error),
    });
  };
  readNext();
  return done.promise;
}

// ---- Tee

/**
 * Tees a stream into two branch records. Like workerd, cancelling both branches cancels the
 * source with the reason of the branch cancelled last, where the standard passes both reasons
 * as an array.
 */
function readableStreamTee(stream) {
  if (stream.controller.kind === "byte") {
    return readableByteStreamTee(stream);
  }
  return readableStreamDefaultTee(stream);
}

function readableStreamDefaultTee(stream) {
  const reader = acquireReadableStreamDefaultReader(stream);
  let reading = false;
  let readAgain = false;
  let canceled1 = false;
  let canceled2 = false;
  let branch1;
  let branch2;
  const cancelPromise = newDeferred();

  const pullAlgorithm = () => {
    if (reading) {
      readAgain = true;
      return resolvedUndefined;
    }
    reading = true;
    readableStreamDefaultReaderRead(reader, {
      chunk: (chunk) => {
        queueStreamMicrotask(() => {
          readAgain = false;
          if (!canceled1) {
            readableStreamDefaultControllerEnqueue(branch1.controller, chunk);
          }
          if (!canceled2) {
            readableStreamDefaultControllerEnqueue(branch2.controller, chunk);
          }
          reading = false;
          if (readAgain) {
            pullAlgorithm();
          }
        });
      },
      close: () => {
        reading = false;
        if (!canceled1) {
          readableStreamDefaultControllerClose(branch1.controller);
        }
        if (!canceled2) {
          readableStreamDefaultControllerClose(branch2.controller);
        }
        if (!canceled1 || !canceled2) {
          cancelPromise.resolve(undefined);
        }
      },
      error: () => {
        reading = false;
      },
    });
    return resolvedUndefined;
  };

  const cancel1Algorithm = (reason) => {
    canceled1 = true;
    if (canceled2) {
      cancelPromise.resolve(readableStreamCancel(stream, reason));
    }
    return cancelPromise.promise;
  };
  const cancel2Algorithm = (reason) => {
    canceled2 = true;
    if (canceled1) {
      cancelPromise.resolve(readableStreamCancel(stream, reason));
    }
    return cancelPromise.promise;
  };

  branch1 = createReadableStream(() => undefined, pullAlgorithm, cancel1Algorithm);
  branch2 = createReadableStream(() => undefined, pullAlgorithm, cancel2Algorithm);
  uponPromise(reader.closed.promise, undefined, (error) => {
    readableStreamDefaultControllerError(branch1.controller, error);
    readableStreamDefaultControllerError(branch2.controller, error);
    if (!canceled1 || !canceled2) {
      cancelPromise.resolve(undefined);
    }
  });
  return [branch1, branch2];
}

function readableByteStreamTee(stream) {
  let reader = acquireReadableStreamDefaultReader(stream);
  let reading = false;
  let readAgainForBranch1 = false;
  let readAgainForBranch2 = false;
  let canceled1 = false;
  let canceled2 = false;
  let branch1;
  let branch2;
  const cancelPromise = newDeferred();

  const forwardReaderError = (thisReader) => {
    uponPromise(thisReader.closed.promise, undefined, (error) => {
      if (thisReader !== reader) {
        return;
      }
      readableByteStreamControllerError(branch1.controller, error);
      readableByteStreamControllerError(branch2.controller, error);
      if (!canceled1 || !canceled2) {
        cancelPromise.resolve(undefined);
      }
    });
  };

  const failBoth = (error) => {
    readableByteStreamControllerError(branch1.controller, error);
    readableByteStreamControllerError(branch2.controller, error);
    cancelPromise.resolve(readableStreamCancel(stream, error));
  };

  const continueAfterRead = () => {
    reading = false;
    if (readAgainForBranch1) {
      pull1Algorithm();
    } else if (readAgainForBranch2) {
      pull2Algorithm();
    }
  };

  const pullWithDefaultReader = () => {
    if (reader.kind === "byob") {
      readableStreamBYOBReaderRelease(reader);
      reader = acquireReadableStreamDefaultReader(stream);
      forwardReaderError(reader);
    }
    readableStreamDefaultReaderRead(reader, {
      chunk: (chunk) => {
        queueStreamMicrotask(() => {
          readAgainForBranch1 = false;
          readAgainForBranch2 = false;
          const chunk1 = chunk;
          let chunk2 = chunk;
          if (!canceled1 && !canceled2) {
            try {
              chunk2 = cloneAsUint8Array(chunk);
            } catch (error) {
              failBoth(error);
              return;
            }
          }
          if (!canceled1) {
            readableByteStreamControllerEnqueue(branch1.controller, chunk1);
          }
          if (!canceled2) {
            readableByteStreamControllerEnqueue(branch2.controller, chunk2);
          }
          continueAfterRead();
        });
      },
      close: () => {
        reading = false;
        if (!canceled1) {
          readableByteStreamControllerClose(branch1.controller);
        }
        if (!canceled2) {
          readableByteStreamControllerClose(branch2.controller);
        }
        if (branch1.controller.pendingPullIntos.length > 0) {
          readableByteStreamControllerRespond(branch1.controller, 0);
        }
        if (branch2.controller.pendingPullIntos.length > 0) {
          readableByteStreamControllerRespond(branch2.controller, 0);
        }
        if (!canceled1 || !canceled2) {
          cancelPromise.resolve(undefined);
        }
      },
      error: () => {
        reading = false;
      },
    });
  };

  const pullWithBYOBReader = (view, forBranch2) => {
    if (reader.kind === "default") {
      readableStreamDefaultReaderRelease(reader);
      reader = acquireReadableStreamBYOBReader(stream);
      forwardReaderError(reader);
    }
    const byobBranch = forBranch2 ? branch2 : branch1;
    const otherBranch = forBranch2 ? branch1 : branch2;
    readableStreamBYOBReaderRead(reader, view, 1, {
      chunk: (chunk) => {
        queueStreamMicrotask(() => {
          readAgainForBranch1 = false;
          readAgainForBranch2 = false;
          const byobCanceled = forBranch2 ? canceled2 : canceled1;
          const otherCanceled = forBranch2 ? canceled1 : canceled2;
          if (!otherCanceled) {
            let clonedChunk;
            try {
              clonedChunk = cloneAsUint8Array(chunk);
            } catch (error) {
              failBoth(error);
              return;
            }
            if (!byobCanceled) {
              readableByteStreamControllerRespondWithNewView(byobBranch.controller, chunk);
            }
            readableByteStreamControllerEnqueue(otherBranch.controller, clonedChunk);
          } else if (!byobCanceled) {
            readableByteStreamControllerRespondWithNewView(byobBranch.controller, chunk);
          }
          continueAfterRead();
        });
      },
      close: (chunk) => {
        reading = false;
        const byobCanceled = forBranch2 ? canceled2 : canceled1;
        const otherCanceled = forBranch2 ? canceled1 : canceled2;
        if (!byobCanceled) {
          readableByteStreamControllerClose(byobBranch.controller);
        }
        if (!otherCanceled) {
          readableByteStreamControllerClose(otherBranch.controller);
        }
        if (chunk !== undefined) {
          if (!byobCanceled) {
            readableByteStreamControllerRespondWithNewView(byobBranch.controller, chunk);
          }
          if (!otherCanceled && otherBranch.controller.pendingPullIntos.length > 0) {
            readableByteStreamControllerRespond(otherBranch.controller, 0);
          }
        }
        if (!byobCanceled || !otherCanceled) {
          cancelPromise.resolve(undefined);
        }
      },
      error: () => {
        reading = false;
      },
    });
  };

  const pull1Algorithm = () => {
    if (reading) {
      readAgainForBranch1 = true;
      return resolvedUndefined;
    }
    reading = true;
    const byobRequest = readableByteStreamControllerGetBYOBRequest(branch1.controller);
    if (byobRequest === null) {
      pullWithDefaultReader();
    } else {
      pullWithBYOBReader(byobRequest.view, false);
    }
    return resolvedUndefined;
  };

  const pull2Algorithm = () => {
    if (reading) {
      readAgainForBranch2 = true;
      return resolvedUndefined;
    }
    reading = true;
    const byobRequest = readableByteStreamControllerGetBYOBRequest(branch2.controller);
    if (byobRequest === null) {
      pullWithDefaultReader();
    } else {
      pullWithBYOBReader(byobRequest.view, true);
    }
    return resolvedUndefined;
  };

  const cancel1Algorithm = (reason) => {
    canceled1 = true;
    if (canceled2) {
      cancelPromise.resolve(readableStreamCancel(stream, reason));
    }
    return cancelPromise.promise;
  };
  const cancel2Algorithm = (reason) => {
    canceled2 = true;
    if (canceled1) {
      cancelPromise.resolve(readableStreamCancel(stream, reason));
    }
    return cancelPromise.promise;
  };

  branch1 = createReadableByteStream(() => undefined, pull1Algorithm, cancel1Algorithm);
  branch2 = createReadableByteStream(() => undefined, pull2Algorithm, cancel2Algorithm);
  forwardReaderError(reader);
  return [branch1, branch2];
}

// ---- Pipes

function readableStreamPipeTo(source, dest, preventClose, preventAbort, preventCancel, signal) {
  const reader = acquireReadableStreamDefaultReader(source);
  const writer = acquireWritableStreamDefaultWriter(dest);
  source.disturbed = true;
  let shuttingDown = false;
  let currentWrite = resolvedUndefined;
  const result = newDeferred();
  let abortListener;

  const finalize = (isError, error) => {
    writableStreamDefaultWriterRelease(writer);
    readableStreamDefaultReaderRelease(reader);
    if (signal !== undefined) {
      signal.removeEventListener("abort", abortListener);
    }
    if (isError) {
      result.reject(error);
    } else {
      result.resolve(undefined);
    }
  };

  // Writes started while waiting are waited for too, so nothing is lost at shutdown.
  const waitForPendingWrites = () => {
    const pending = currentWrite;
    return uponPromise(pending, () =>
      pending !== currentWrite ? waitForPendingWrites() : undefined,
    );
  };

  const destCanTakeWrites = () =>
    dest.state === "writable" && !writableStreamCloseQueuedOrInFlight(dest);

  const shutdownWithAction = (action, originalIsError, originalError) => {
    if (shuttingDown) {
      return;
    }
    shuttingDown = true;
    const runAction = () => {
      uponPromise(
        action(),
        () => finalize(originalIsError, originalError),
        (error) => finalize(true, error),
      );
    };
    if (destCanTakeWrites()) {
      uponPromise(waitForPendingWrites(), runAction);
    } else {
      runAction();
    }
  };

  const shutdown = (isError, error) => {
    if (shuttingDown) {
      return;
    }
    shuttingDown = true;
    if (destCanTakeWrites()) {
      uponPromise(waitForPendingWrites(), () => finalize(isError, error));
    } else {
      finalize(isError, error);
    }
  };

  if (signal !== undefined) {
    abortListener = () => {
      const error = signal.reason;
      const actions = [];
      if (!preventAbort) {
        actions.push(() =>
          dest.state === "writable" ? writableStreamAbort(dest, error) : resolvedUndefined,
        );
      }
      if (!preventCancel) {
        actions.push(() =>
          source.state === "readable" ? readableStreamCancel(source, error) : resolvedUndefined,
        );
      }
      shutdownWithAction(() => Promise.all(actions.map((action) => action())), true, error);
    };
    if (signal.aborted) {
      abortListener();
      return result.promise;
    }
    signal.addEventListener("abort", abortListener);
  }

  const onSourceErrored = (error) => {
    if (!preventAbort) {
      shutdownWithAction(() => writableStreamAbort(dest, error), true, error);
    } else {
      shutdown(true, error);
    }
  };
  const onDestErrored = (error) => {
    if (!preventCancel) {
      shutdownWithAction(() => readableStreamCancel(source, error), true, error);
    } else {
      shutdown(true, error);
    }
  };
  const onSourceClosed = () => {
    if (!preventClose) {
      shutdownWithAction(() => writableStreamDefaultWriterCloseWithErrorPropagation(writer));
    } else {
      shutdown();
    }
  };

  if (source.state === "errored") {
    onSourceErrored(source.storedError);
  } else {
    uponPromise(reader.closed.promise, undefined, onSourceErrored);
  }
  if (dest.state === "errored") {
    onDestErrored(dest.storedError);
  } else {
    uponPromise(writer.closed.promise, undefined, onDestErrored);
  }
  if (source.state === "closed") {
    onSourceClosed();
  } else {
    uponPromise(reader.closed.promise, onSourceClosed, undefined);
  }
  if (writableStreamCloseQueuedOrInFlight(dest) || dest.state === "closed") {
    const destClosed = new TypeError(
      "The destination WritableStream closed before all data could be piped to it.",
    );
    if (!preventCancel) {
      shutdownWithAction(() => readableStreamCancel(source, destClosed), true, destClosed);
    } else {
      shutdown(true, destClosed);
    }
  }

  const pipeStep = () => {
    if (shuttingDown) {
      return Promise.resolve(true);
    }
    return uponPromise(writer.ready.promise, () => {
      if (shuttingDown) {
        return true;
      }
      const step = newDeferred();
      readableStreamDefaultReaderRead(reader, {
        chunk: (chunk) => {
          currentWrite = uponPromise(
            writableStreamDefaultWriterWrite(writer, chunk),
            undefined,
            () => {},
          );
          step.resolve(false);
        },
        close: () => step.resolve(true),
        error: (error) => step.reject(error),
      });
      return step.promise;
    });
  };
  // Errors end the loop quietly: the watchers above shut the pipe down.
  const pipeLoop = () => {
    uponPromise(
      pipeStep(),
      (done) => {
        if (!done) {
          pipeLoop();
        }
      },
      () => {},
    );
  };
  pipeLoop();
  return result.promise;
}

// ---- ReadableStream.from

function readableStreamFromIterable(asyncIterable) {
  const iterator = getAsyncIterator(asyncIterable);
  const nextMethod = iterator.next;
  let stream;
  const pullAlgorithm = () => {
    let nextResult;
    try {
      nextResult = nextMethod.call(iterator);
    } catch (error) {
      return Promise.reject(error);
    }
    return uponPromise(Promise.resolve(nextResult), (iterResult) => {
      if (
        iterResult === null ||
        (typeof iterResult !== "object" && typeof iterResult !== "function")
      ) {
        throw new TypeError("The iterator's next() method returned a non-object.");
      }
      if (iterResult.done) {
        readableStreamDefaultControllerClose(stream.controller);
      } else {
        readableStreamDefaultControllerEnqueue(stream.controller, iterResult.value);
      }
    });
  };
  const cancelAlgorithm = (reason) => {
    let returnMethod;
    try {
      returnMethod = iterator.return;
    } catch (error) {
      return Promise.reject(error);
    }
    if (returnMethod === undefined || returnMethod === null) {
      return resolvedUndefined;
    }
    let returnResult;
    try {
      returnResult = returnMethod.call(iterator, reason);
    } catch (error) {
      return Promise.reject(error);
    }
    return uponPromise(Promise.resolve(returnResult), (iterResult) => {
      if (
        iterResult === null ||
        (typeof iterResult !== "object" && typeof iterResult !== "function")
      ) {
        throw new TypeError("The iterator's return() method returned a non-object.");
      }
    });
  };
  stream = createReadableStream(() => undefined, pullAlgorithm, cancelAlgorithm, 0);
  return stream;
}

/** GetIterator(value, async): the async iterator, or an async wrapper of the sync one. */
function getAsyncIterator(value) {
  if (value === null || value === undefined) {
    throw new TypeError("ReadableStream.from() requires an iterable or async iterable.");
  }
  const asyncMethod = value[Symbol.asyncIterator];
  if (asyncMethod !== undefined && asyncMethod !== null) {
    const iterator = asyncMethod.call(value);
    if (iterator === null || typeof iterator !== "object") {
      throw new TypeError("The async iterator method returned a non-object.");
    }
    return iterator;
  }
  const syncMethod = value[Symbol.iterator];
  if (typeof syncMethod !== "function") {
    throw new TypeError("ReadableStream.from() requires an iterable or async iterable.");
  }
  const syncIterator = syncMethod.call(value);
  const unwrap = (result) => {
    if (result === null || typeof result !== "object") {
      throw new TypeError("The iterator returned a non-object.");
    }
    return uponPromise(Promise.resolve(result.value), (resolved) => ({
      value: resolved,
      done: Boolean(result.done),
    }));
  };
  return {
    next() {
      return unwrap(syncIterator.next());
    },
    return(reason) {
      const method = syncIterator.return;
      if (method === undefined || method === null) {
        return Promise.resolve({ value: reason, done: true });
      }
      return unwrap(method.call(syncIterator, reason));
    },
  };
}

// ---- Public readable classes

const STREAM_LOCKED_MESSAGE = "This ReadableStream is currently locked to a reader.";
const ILLEGAL_INVOCATION_MESSAGE = "Illegal invocation";

/** Token that lets this module construct objects whose constructors user code cannot call. */
const STREAMS_INTERNAL_TOKEN = Symbol("streams internal token");

// Set by the static blocks of the classes below.
let readableStreamRecordOf;
let wrapReadableStream;
let wrapDefaultController;
let wrapByteController;
let wrapBYOBRequest;

function requireReadableStream(value) {
  const record = readableStreamRecordOf(value);
  if (record === undefined) {
    throw new TypeError(ILLEGAL_INVOCATION_MESSAGE);
  }
  assertSameRequest(value, "ReadableStream");
  return record;
}

/** Reads an UnderlyingSource dictionary, in the alphabetical order of Web IDL. */
function readUnderlyingSource(underlyingSource) {
  if (underlyingSource === undefined || underlyingSource === null) {
    return {};
  }
  if (typeof underlyingSource !== "object" && typeof underlyingSource !== "function") {
    throw new TypeError("The underlying source of a ReadableStream must be an object.");
  }
  const what = "the underlying source";
  const autoAllocateChunkSize = underlyingSource.autoAllocateChunkSize;
  const dictionary = {
    autoAllocateChunkSize:
      autoAllocateChunkSize === undefined
        ? undefined
        : toEnforcedUnsignedInteger(autoAllocateChunkSize, "autoAllocateChunkSize"),
    cancel: readCallbackMember(underlyingSource, "cancel", what),
    pull: readCallbackMember(underlyingSource, "pull", what),
    start: readCallbackMember(underlyingSource, "start", what),
    type: underlyingSource.type === undefined ? undefined : String(underlyingSource.type),
  };
  if (dictionary.type !== undefined && dictionary.type !== "bytes") {
    throw new TypeError(
      `'${dictionary.type}' is not a valid ReadableStream type; use 'bytes' or leave it out.`,
    );
  }
  return dictionary;
}

class ReadableStream {
  #record;

  static {
    readableStreamRecordOf = (value) =>
      value !== null && typeof value === "object" && #record in value ? value.#record : undefined;
    wrapReadableStream = (record) => {
      const object = new ReadableStream(STREAMS_INTERNAL_TOKEN);
      object.#record = record;
      record.object = object;
      return object;
    };
  }

  constructor(underlyingSource = undefined, strategy = undefined) {
    claimForCurrentRequest(this);
    if (underlyingSource === STREAMS_INTERNAL_TOKEN) {
      return;
    }
    const queuingStrategy = readQueuingStrategy(strategy, "The queuing strategy");
    const source = readUnderlyingSource(underlyingSource);
    const record = newReadableStreamRecord();
    record.object = this;
    this.#record = record;

    if (source.type === "bytes") {
      if (queuingStrategy.size !== undefined) {
        throw new RangeError("A byte stream's queuing strategy cannot have a size function.");
      }
      const highWaterMark = extractHighWaterMark(queuingStrategy, 0);
      setUpByteControllerFromSource(record, underlyingSource, source, highWaterMark);
    } else {
      const sizeAlgorithm = extractSizeAlgorithm(queuingStrategy);
      const highWaterMark = extractHighWaterMark(queuingStrategy, 1);
      setUpDefaultControllerFromSource(
        record,
        underlyingSource,
        source,
        highWaterMark,
        sizeAlgorithm,
      );
    }
  }

  static from(asyncIterable) {
    return readableStreamFromIterable(asyncIterable).object;
  }

  get locked() {
    return isReadableStreamLocked(requireReadableStream(this));
  }

  cancel(reason = undefined) {
    let record;
    try {
      record = requireReadableStream(this);
    } catch (error) {
      return Promise.reject(error);
    }
    if (isReadableStreamLocked(record)) {
      return Promise.reject(new TypeError(STREAM_LOCKED_MESSAGE));
    }
    return readableStreamCancel(record, reason);
  }

  getReader(options = undefined) {
    const record = requireReadableStream(this);
    const mode = options === undefined || options === null ? undefined : options.mode;
    if (mode === undefined) {
      return wrapReader(acquireReadableStreamDefaultReader(record));
    }
    if (String(mode) !== "byob") {
      throw new TypeError(
        `'${String(mode)}' is not a valid reader mode; use 'byob' or leave it out.`,
      );
    }
    return wrapReader(acquireReadableStreamBYOBReader(record));
  }

  pipeThrough(transform, options = undefined) {
    const record = requireReadableStream(this);
    if (transform === null || typeof transform !== "object") {
      throw new TypeError("pipeThrough() requires a { readable, writable } pair.");
    }
    const readable = readableStreamRecordOf(transform.readable);
    if (readable === undefined) {
      throw new TypeError(
        "The readable member of the pipeThrough() argument must be a ReadableStream.",
      );
    }
    const writable = writableStreamRecordOf(transform.writable);
    if (writable === undefined) {
      throw new TypeError(
        "The writable member of the pipeThrough() argument must be a WritableStream.",
      );
    }
    const pipeOptions = readPipeOptions(options);
    if (isReadableStreamLocked(record)) {
      throw new TypeError(STREAM_LOCKED_MESSAGE);
    }
    if (isWritableStreamLocked(writable)) {
      throw new TypeError(WRITABLE_LOCKED_MESSAGE);
    }
    const promise = readableStreamPipeTo(
      record,
      writable,
      pipeOptions.preventClose,
      pipeOptions.preventAbort,
      pipeOptions.preventCancel,
      pipeOptions.signal,
    );
    markPromiseHandled(promise);
    return transform.readable;
  }

  pipeTo(destination, options = undefined) {
    try {
      const record = requireReadableStream(this);
      const dest = writableStreamRecordOf(destination);
      if (dest === undefined) {
        throw new TypeError("pipeTo() requires a WritableStream as its destination.");
      }
      const pipeOptions = readPipeOptions(options);
      if (isReadableStreamLocked(record)) {
        throw new TypeError(STREAM_LOCKED_MESSAGE);
      }
      if (isWritableStreamLocked(dest)) {
        throw new TypeError(WRITABLE_LOCKED_MESSAGE);
      }
      return readableStreamPipeTo(
        record,
        dest,
        pipeOptions.preventClose,
        pipeOptions.preventAbort,
        pipeOptions.preventCancel,
        pipeOptions.signal,
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  tee() {
    const record = requireReadableStream(this);
    if (isReadableStreamLocked(record)) {
      throw new TypeError(STREAM_LOCKED_MESSAGE);
    }
    const [branch1, branch2] = readableStreamTee(record);
    return [branch1.object, branch2.object];
  }

  values(options = undefined) {
    const record = requireReadableStream(this);
    const preventCancel =
      options === undefined || options === null ? false : Boolean(options.preventCancel);
    const reader = acquireReadableStreamDefaultReader(record);
    return createStreamAsyncIterator(reader, preventCancel);
  }
}
Object.defineProperty(ReadableStream.prototype, Symbol.asyncIterator, {
  value: ReadableStream.prototype.values,
  writable: true,
  configurable: true,
});
Object.defineProperty(ReadableStream.prototype, Symbol.toStringTag, {
  value: "ReadableStream",
  configurable: true,
});

/** Reads a StreamPipeOptions dictionary. */
function readPipeOptions(options) {
  if (options === undefined || options === null) {
    return { preventAbort: false, preventCancel: false, preventClose: false, signal: undefined };
  }
  if (typeof options !== "object" && typeof options !== "function") {
    throw new TypeError("The pipe options must be an object.");
  }
  const preventAbort = Boolean(options.preventAbort);
  const preventCancel = Boolean(options.preventCancel);
  const preventClose = Boolean(options.preventClose);
  const signal = options.signal;
  if (signal !== undefined && !isChunkInstance(signal, "abort", "AbortSignal")) {
    throw new TypeError("The signal member of the pipe options must be an AbortSignal.");
  }
  return { preventAbort, preventCancel, preventClose, signal };
}

function setUpDefaultControllerFromSource(
  stream,
  underlyingSource,
  source,
  highWaterMark,
  sizeAlgorithm,
) {
  const controller = newDefaultControllerRecord();
  controller.object = wrapDefaultController(controller);
  let startAlgorithm = () => undefined;
  let pullAlgorithm = () => resolvedUndefined;
  let cancelAlgorithm = () => resolvedUndefined;
  if (source.start !== undefined) {
    startAlgorithm = () => source.start.call(underlyingSource, controller.object);
  }
  if (source.pull !== undefined) {
    pullAlgorithm = () => promiseCall(source.pull, underlyingSource, [controller.object]);
  }
  if (source.cancel !== undefined) {
    cancelAlgorithm = (reason) => promiseCall(source.cancel, underlyingSource, [reason]);
  }
  setUpReadableStreamDefaultController(
    stream,
    controller,
    startAlgorithm,
    pullAlgorithm,
    cancelAlgorithm,
    highWaterMark,
    sizeAlgorithm,
  );
}

function setUpByteControllerFromSource(stream, underlyingSource, source, highWaterMark) {
  const controller = newByteControllerRecord();
  controller.object = wrapByteController(controller);
  let startAlgorithm = () => undefined;
  let pullAlgorithm = () => resolvedUndefined;
  let cancelAlgorithm = () => resolvedUndefined;
  if (source.start !== undefined) {
    startAlgorithm = () => source.start.call(underlyingSource, controller.object);
  }
  if (source.pull !== undefined) {
    pullAlgorithm = () => promiseCall(source.pull, underlyingSource, [controller.object]);
  }
  if (source.cancel !== undefined) {
    cancelAlgorithm = (reason) => promiseCall(source.cancel, underlyingSource, [reason]);
  }
  if (source.autoAllocateChunkSize === 0) {
    throw new TypeError("autoAllocateChunkSize must be greater than 0.");
  }
  setUpReadableByteStreamController(
    stream,
    controller,
    startAlgorithm,
    pullAlgorithm,
    cancelAlgorithm,
    highWaterMark,
    source.autoAllocateChunkSize,
  );
}

const ASYNC_ITERATOR_PROTOTYPE = Object.getPrototypeOf(
  Object.getPrototypeOf(async function* () {}).prototype,
);

const STREAM_ASYNC_ITERATOR_PROTOTYPE = Object.create(ASYNC_ITERATOR_PROTOTYPE);
Object.defineProperty(STREAM_ASYNC_ITERATOR_PROTOTYPE, Symbol.toStringTag, {
  value: "ReadableStream AsyncIterator",
  configurable: true,
});

/** Internal state of each stream async iterator. */
const streamIteratorStates = new WeakMap();

function createStreamAsyncIterator(reader, preventCancel) {
  const iterator = Object.create(STREAM_ASYNC_ITERATOR_PROTOTYPE);
  streamIteratorStates.set(iterator, {
    reader,
    preventCancel,
    ongoing: undefined,
    finished: false,
  });
  return iterator;
}

function requireIteratorState(iterator) {
  const state = streamIteratorStates.get(iterator);
  if (state === undefined) {
    throw new TypeError(ILLEGAL_INVOCATION_MESSAGE);
  }
  return state;
}

Object.defineProperties(STREAM_ASYNC_ITERATOR_PROTOTYPE, {
  next: {
    value: function next() {
      let state;
      try {
        state = requireIteratorState(this);
      } catch (error) {
        return Promise.reject(error);
      }
      const nextSteps = () => {
        if (state.finished) {
          return Promise.resolve({ value: undefined, done: true });
        }
        const reader = state.reader;
        if (reader.stream === undefined) {
          return Promise.reject(new TypeError("The iterator's reader has been released."));
        }
        const deferred = newDeferred();
        readableStreamDefaultReaderRead(reader, {
          chunk: (chunk) => deferred.resolve({ value: chunk, done: false }),
          close: () => {
            state.finished = true;
            readableStreamDefaultReaderRelease(reader);
            deferred.resolve({ value: undefined, done: true });
          },
          error: (error) => {
            state.finished = true;
            readableStreamDefaultReaderRelease(reader);
            deferred.reject(error);
          },
        });
        return deferred.promise;
      };
      state.ongoing =
        state.ongoing === undefined
          ? nextSteps()
          : uponPromise(state.ongoing, nextSteps, nextSteps);
      return state.ongoing;
    },
    writable: true,
    configurable: true,
  },
  return: {
    value: function (value = undefined) {
      let state;
      try {
        state = requireIteratorState(this);
      } catch (error) {
        return Promise.reject(error);
      }
      const returnSteps = () => {
        if (state.finished) {
          return Promise.resolve({ value, done: true });
        }
        state.finished = true;
        const reader = state.reader;
        if (reader.stream === undefined) {
          return Promise.resolve({ value, done: true });
        }
        if (!state.preventCancel) {
          const cancelled = readableStreamReaderGenericCancel(reader, value);
          readableStreamDefaultReaderRelease(reader);
          return uponPromise(cancelled, () => ({ value, done: true }));
        }
        readableStreamDefaultReaderRelease(reader);
        return Promise.resolve({ value, done: true });
      };
      state.ongoing =
        state.ongoing === undefined
          ? returnSteps()
          : uponPromise(state.ongoing, returnSteps, returnSteps);
      return state.ongoing;
    },
    writable: true,
    configurable: true,
  },
});

// Set by the static blocks of the reader classes.
let readerRecordOf;
let wrapDefaultReaderRecord;
let byobReaderRecordOf;
let wrapBYOBReaderRecord;

function wrapReader(reader) {
  reader.object =
    reader.kind === "default" ? wrapDefaultReaderRecord(reader) : wrapBYOBReaderRecord(reader);
  return reader.object;
}

function requireStreamArgument(stream, what) {
  const record = readableStreamRecordOf(stream);
  if (record === undefined) {
    throw new TypeError(`${what} requires a ReadableStream.`);
  }
  assertSameRequest(stream, "ReadableStream");
  return record;
}

class ReadableStreamDefaultReader {
  #record;

  static {
    readerRecordOf = (value) =>
      value !== null && typeof value === "object" && #record in value ? value.#record : undefined;
    wrapDefaultReaderRecord = (record) => {
      const object = new ReadableStreamDefaultReader(STREAMS_INTERNAL_TOKEN);
      object.#record = record;
      return object;
    };
  }

  constructor(stream) {
    claimForCurrentRequest(this);
    if (stream === STREAMS_INTERNAL_TOKEN) {
      return;
    }
    const record = newDefaultReaderRecord();
    setUpReadableStreamDefaultReader(
      record,
      requireStreamArgument(stream, "ReadableStreamDefaultReader"),
    );
    record.object = this;
    this.#record = record;
  }

  #require() {
    assertSameRequest(this, "ReadableStreamDefaultReader");
    return this.#record;
  }

  get closed() {
    const record = readerRecordOf(this);
    if (record === undefined) {
      return Promise.reject(new TypeError(ILLEGAL_INVOCATION_MESSAGE));
    }
    return record.closed.promise;
  }

  cancel(reason = undefined) {
    try {
      const record = this.#require();
      if (record.stream === undefined) {
        throw new TypeError("This reader has been released.");
      }
      return readableStreamReaderGenericCancel(record, reason);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  read() {
    try {
      const record = this.#require();
      if (record.stream === undefined) {
        throw new TypeError("This reader has been released.");
      }
      const deferred = newDeferred();
      readableStreamDefaultReaderRead(record, promiseReadRequest(deferred));
      return deferred.promise;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  releaseLock() {
    const record = this.#require();
    if (record.stream !== undefined) {
      readableStreamDefaultReaderRelease(record);
    }
  }
}
Object.defineProperty(ReadableStreamDefaultReader.prototype, Symbol.toStringTag, {
  value: "ReadableStreamDefaultReader",
  configurable: true,
});

class ReadableStreamBYOBReader {
  #record;

  static {
    byobReaderRecordOf = (value) =>
      value !== null && typeof value === "object" && #record in value ? value.#record : undefined;
    wrapBYOBReaderRecord = (record) => {
      const object = new ReadableStreamBYOBReader(STREAMS_INTERNAL_TOKEN);
      object.#record = record;
      return object;
    };
  }

  constructor(stream) {
    claimForCurrentRequest(this);
    if (stream === STREAMS_INTERNAL_TOKEN) {
      return;
    }
    const record = newBYOBReaderRecord();
    setUpReadableStreamBYOBReader(
      record,
      requireStreamArgument(stream, "ReadableStreamBYOBReader"),
    );
    record.object = this;
    this.#record = record;
  }

  #require() {
    assertSameRequest(this, "ReadableStreamBYOBReader");
    return this.#record;
  }

  get closed() {
    const record = byobReaderRecordOf(this);
    if (record === undefined) {
      return Promise.reject(new TypeError(ILLEGAL_INVOCATION_MESSAGE));
    }
    return record.closed.promise;
  }

  cancel(reason = undefined) {
    try {
      const record = this.#require();
      if (record.stream === undefined) {
        throw new TypeError("This reader has been released.");
      }
      return readableStreamReaderGenericCancel(record, reason);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  read(view, options = undefined) {
    try {
      const record = this.#require();
      if (!isArrayBufferView(view)) {
        throw new TypeError("read() requires an ArrayBufferView.");
      }
      const min =
        options === undefined || options === null || options.min === undefined
          ? 1
          : toEnforcedUnsignedInteger(options.min, "The min option");
      if (view.byteLength === 0) {
        throw new TypeError("read() requires a view with a non-zero byteLength.");
      }
      if (view.buffer.byteLength === 0) {
        throw new TypeError("read() requires a view over a non-empty ArrayBuffer.");
      }
      if (isDetachedBuffer(view.buffer)) {
        throw new TypeError("read() requires a view over an ArrayBuffer that is not detached.");
      }
      if (min === 0) {
        throw new TypeError("The min option must be greater than 0.");
      }
      const length = view instanceof DataView ? view.byteLength : view.length;
      // workerd throws a TypeError here, where the standard throws a RangeError.
      if (min > length) {
        throw new TypeError(`Minimum bytes to read (${min}) exceeds size of buffer (${length}).`);
      }
      if (record.stream === undefined) {
        throw new TypeError("This reader has been released.");
      }
      const deferred = newDeferred();
      readableStreamBYOBReaderRead(record, view, min, {
        chunk: (chunk) => deferred.resolve({ value: chunk, done: false }),
        close: (chunk) => deferred.resolve({ value: chunk, done: true }),
        error: (error) => deferred.reject(error),
      });
      return deferred.promise;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  releaseLock() {
    const record = this.#require();
    if (record.stream !== undefined) {
      readableStreamBYOBReaderRelease(record);
    }
  }
}
Object.defineProperty(ReadableStreamBYOBReader.prototype, Symbol.toStringTag, {
  value: "ReadableStreamBYOBReader",
  configurable: true,
});

class ReadableStreamDefaultController {
  #record;

  static {
    wrapDefaultController = (record) => {
      const object = new ReadableStreamDefaultController(STREAMS_INTERNAL_TOKEN);
      object.#record = record;
      return object;
    };
  }

  constructor(token = undefined) {
    if (token !== STREAMS_INTERNAL_TOKEN) {
      throw new TypeError("Illegal constructor");
    }
  }

  get desiredSize() {
    return readableStreamDefaultControllerGetDesiredSize(this.#record);
  }

  close() {
    if (!readableStreamDefaultControllerCanCloseOrEnqueue(this.#record)) {
      throw new TypeError("The stream is not in a state that permits close.");
    }
    readableStreamDefaultControllerClose(this.#record);
  }

  enqueue(chunk = undefined) {
    if (!readableStreamDefaultControllerCanCloseOrEnqueue(this.#record)) {
      throw new TypeError("The stream is not in a state that permits enqueue.");
    }
    readableStreamDefaultControllerEnqueue(this.#record, chunk);
  }

  error(error = undefined) {
    readableStreamDefaultControllerError(this.#record, error);
  }
}
Object.defineProperty(ReadableStreamDefaultController.prototype, Symbol.toStringTag, {
  value: "ReadableStreamDefaultController",
  configurable: true,
});

class ReadableByteStreamController {
  #record;

  static {
    wrapByteController = (record) => {
      const object = new ReadableByteStreamController(STREAMS_INTERNAL_TOKEN);
      object.#record = record;
      return object;
    };
  }

  constructor(token = undefined) {
    if (token !== STREAMS_INTERNAL_TOKEN) {
      throw new TypeError("Illegal constructor");
    }
  }

  get byobRequest() {
    const request = readableByteStreamControllerGetBYOBRequest(this.#record);
    return request === null ? null : request.object;
  }

  get desiredSize() {
    return readableByteStreamControllerGetDesiredSize(this.#record);
  }

  close() {
    const record = this.#record;
    if (record.closeRequested) {
      throw new TypeError("The stream is already closing.");
    }
    if (record.stream.state !== "readable") {
      throw new TypeError("The stream is not in a state that permits close.");
    }
    readableByteStreamControllerClose(record);
  }

  enqueue(chunk) {
    const record = this.#record;
    if (!isArrayBufferView(chunk)) {
      throw new TypeError("A byte stream's chunks must be ArrayBufferViews.");
    }
    if (chunk.byteLength === 0) {
      throw new TypeError("The chunk must have a non-zero byteLength.");
    }
    if (chunk.buffer.byteLength === 0) {
      throw new TypeError("The chunk's ArrayBuffer must not be empty or detached.");
    }
    if (record.closeRequested) {
      throw new TypeError("The stream is closing, so no more chunks can be enqueued.");
    }
    if (record.stream.state !== "readable") {
      throw new TypeError("The stream is not in a state that permits enqueue.");
    }
    readableByteStreamControllerEnqueue(record, chunk);
  }

  error(error = undefined) {
    readableByteStreamControllerError(this.#record, error);
  }
}
Object.defineProperty(ReadableByteStreamController.prototype, Symbol.toStringTag, {
  value: "ReadableByteStreamController",
  configurable: true,
});

class ReadableStreamBYOBRequest {
  #record;

  static {
    wrapBYOBRequest = (record) => {
      const object = new ReadableStreamBYOBRequest(STREAMS_INTERNAL_TOKEN);
      object.#record = record;
      return object;
    };
  }

  constructor(token = undefined) {
    if (token !== STREAMS_INTERNAL_TOKEN) {
      throw new TypeError("Illegal constructor");
    }
  }

  get view() {
    return this.#record.view;
  }

  respond(bytesWritten) {
    const record = this.#record;
    const written = toEnforcedUnsignedInteger(bytesWritten, "bytesWritten");
    if (record.controller === undefined) {
      throw new TypeError("This BYOB request has already been responded to.");
    }
    if (isDetachedBuffer(record.view.buffer)) {
      throw new TypeError("The BYOB request's buffer is detached.");
    }
    readableByteStreamControllerRespond(record.controller, written);
  }

  respondWithNewView(view) {
    const record = this.#record;
    if (!isArrayBufferView(view)) {
      throw new TypeError("respondWithNewView() requires an ArrayBufferView.");
    }
    if (record.controller === undefined) {
      throw new TypeError("This BYOB request has already been responded to.");
    }
    if (isDetachedBuffer(view.buffer)) {
      throw new TypeError("The view's buffer is detached.");
    }
    readableByteStreamControllerRespondWithNewView(record.controller, view);
  }
}
Object.defineProperty(ReadableStreamBYOBRequest.prototype, Symbol.toStringTag, {
  value: "ReadableStreamBYOBRequest",
  configurable: true,
});

// ---- WritableStream

const WRITABLE_LOCKED_MESSAGE = "This WritableStream is currently locked to a writer.";

/** Marker of the close request in a writable stream's queue. */
const CLOSE_SENTINEL = Symbol("close sentinel");

function newWritableStreamRecord() {
  return {
    object: undefined,
    state: "writable",
    storedError: undefined,
    writer: undefined,
    controller: undefined,
    inFlightWriteRequest: undefined,
    closeRequest: undefined,
    inFlightCloseRequest: undefined,
    pendingAbortRequest: undefined,
    writeRequests: [],
    backpressure: false,
  };
}

function isWritableStreamLocked(stream) {
  return stream.writer !== undefined;
}

function acquireWritableStreamDefaultWriter(stream) {
  const writer = { object: undefined, stream: undefined, ready: undefined, closed: undefined };
  setUpWritableStreamDefaultWriter(writer, stream);
  return writer;
}

function createWritableStream(
  startAlgorithm,
  writeAlgorithm,
  closeAlgorithm,
  abortAlgorithm,
  highWaterMark,
  sizeAlgorithm,
) {
  const stream = newWritableStreamRecord();
  wrapWritableStream(stream);
  const controller = newWritableControllerRecord();
  controller.object = wrapWritableController(controller);
  setUpWritableStreamDefaultController(
    stream,
    controller,
    startAlgorithm,
    writeAlgorithm,
    closeAlgorithm,
    abortAlgorithm,
    highWaterMark,
    sizeAlgorithm,
  );
  return stream;
}

function writableStreamAbort(stream, reason) {
  if (stream.state === "closed" || stream.state === "errored") {
    return resolvedUndefined;
  }
  requireChunk("abort").signalAbort(stream.controller.signal, reason);
  const state = stream.state;
  if (state === "closed" || state === "errored") {
    return resolvedUndefined;
  }
  if (stream.pendingAbortRequest !== undefined) {
    return stream.pendingAbortRequest.deferred.promise;
  }
  let wasAlreadyErroring = false;
  if (state === "erroring") {
    wasAlreadyErroring = true;
    reason = undefined;
  }
  const deferred = newDeferred();
  stream.pendingAbortRequest = { deferred, reason, wasAlreadyErroring };
  if (!wasAlreadyErroring) {
    writableStreamStartErroring(stream, reason);
  }
  return deferred.promise;
}

function writableStreamClose(stream) {
  const state = stream.state;
  if (state === "closed" || state === "errored") {
    return Promise.reject(new TypeError("The WritableStream is already closed or errored."));
  }
  const deferred = newDeferred();
  stream.closeRequest = deferred;
  const writer = stream.writer;
  if (writer !== undefined && stream.backpressure && state === "writable") {
    writer.ready.resolve(undefined);
  }
  writableStreamDefaultControllerClose(stream.controller);
  return deferred.promise;
}

function writableStreamAddWriteRequest(stream) {
  const deferred = newDeferred();
  stream.writeRequests.push(deferred);
  return deferred.promise;
}

function writableStreamCloseQueuedOrInFlight(stream) {
  return stream.closeRequest !== undefined || stream.inFlightCloseRequest !== undefined;
}

function writableStreamDealWithRejection(stream, error) {
  if (stream.state === "writable") {
    writableStreamStartErroring(stream, error);
    return;
  }
  writableStreamFinishErroring(stream);
}

function writableStreamFinishErroring(stream) {
  stream.state = "errored";
  stream.controller.errorSteps();
  const storedError = stream.storedError;
  for (const writeRequest of stream.writeRequests) {
    writeRequest.reject(storedError);
  }
  stream.writeRequests = [];
  if (stream.pendingAbortRequest === undefined) {
    writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
    return;
  }
  const abortRequest = stream.pendingAbortRequest;
  stream.pendingAbortRequest = undefined;
  if (abortRequest.wasAlreadyErroring) {
    abortRequest.deferred.reject(storedError);
    writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
    return;
  }
  const promise = stream.controller.abortSteps(abortRequest.reason);
  uponPromise(
    promise,
    () => {
      abortRequest.deferred.resolve(undefined);
      writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
    },
    (reason) => {
      abortRequest.deferred.reject(reason);
      writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
    },
  );
}

function writableStreamFinishInFlightClose(stream) {
  stream.inFlightCloseRequest.resolve(undefined);
  stream.inFlightCloseRequest = undefined;
  if (stream.state === "erroring") {
    stream.storedError = undefined;
    if (stream.pendingAbortRequest !== undefined) {
      stream.pendingAbortRequest.deferred.resolve(undefined);
      stream.pendingAbortRequest = undefined;
    }
  }
  stream.state = "closed";
  const writer = stream.writer;
  if (writer !== undefined) {
    writer.closed.resolve(undefined);
  }
}

function writableStreamFinishInFlightCloseWithError(stream, error) {
  stream.inFlightCloseRequest.reject(error);
  stream.inFlightCloseRequest = undefined;
  if (stream.pendingAbortRequest !== undefined) {
    stream.pendingAbortRequest.deferred.reject(error);
    stream.pendingAbortRequest = undefined;
  }
  writableStreamDealWithRejection(stream, error);
}

function writableStreamFinishInFlightWrite(stream) {
  stream.inFlightWriteRequest.resolve(undefined);
  stream.inFlightWriteRequest = undefined;
}

function writableStreamFinishInFlightWriteWithError(stream, error) {
  stream.inFlightWriteRequest.reject(error);
  stream.inFlightWriteRequest = undefined;
  writableStreamDealWithRejection(stream, error);
}

function writableStreamHasOperationMarkedInFlight(stream) {
  return stream.inFlightWriteRequest !== undefined || stream.inFlightCloseRequest !== undefined;
}

function writableStreamMarkCloseRequestInFlight(stream) {
  stream.inFlightCloseRequest = stream.closeRequest;
  stream.closeRequest = undefined;
}

function writableStreamMarkFirstWriteRequestInFlight(stream) {
  stream.inFlightWriteRequest = stream.writeRequests.shift();
}

function writableStreamRejectCloseAndClosedPromiseIfNeeded(stream) {
  if (stream.closeRequest !== undefined) {
    stream.closeRequest.reject(stream.storedError);
    stream.closeRequest = undefined;
  }
  const writer = stream.writer;
  if (writer !== undefined) {
    writer.closed.reject(stream.storedError);
    markPromiseHandled(writer.closed.promise);
  }
}

function writableStreamStartErroring(stream, reason) {
  const controller = stream.controller;
  stream.state = "erroring";
  stream.storedError = reason;
  const writer = stream.writer;
  if (writer !== undefined) {
    writableStreamDefaultWriterEnsureReadyPromiseRejected(writer, reason);
  }
  if (!writableStreamHasOperationMarkedInFlight(stream) && controller.started) {
    writableStreamFinishErroring(stream);
  }
}

function writableStreamUpdateBackpressure(stream, backpressure) {
  const writer = stream.writer;
  if (writer !== undefined && backpressure !== stream.backpressure) {
    if (backpressure) {
      writer.ready = newDeferred();
    } else {
      writer.ready.resolve(undefined);
    }
  }
  stream.backpressure = backpressure;
}

// ---- WritableStreamDefaultWriter algorithms

function setUpWritableStreamDefaultWriter(writer, stream) {
  if (isWritableStreamLocked(stream)) {
    throw new TypeError(WRITABLE_LOCKED_MESSAGE);
  }
  writer.stream = stream;
  stream.writer = writer;
  const state = stream.state;
  if (state === "writable") {
    if (!writableStreamCloseQueuedOrInFlight(stream) && stream.backpressure) {
      writer.ready = newDeferred();
    } else {
      writer.ready = resolvedDeferred(undefined);
    }
    writer.closed = newDeferred();
  } else if (state === "erroring") {
    writer.ready = rejectedDeferred(stream.storedError);
    writer.closed = newDeferred();
  } else if (state === "closed") {
    writer.ready = resolvedDeferred(undefined);
    writer.closed = resolvedDeferred(undefined);
  } else {
    writer.ready = rejectedDeferred(stream.storedError);
    writer.closed = rejectedDeferred(stream.storedError);
  }
}

function writableStreamDefaultWriterCloseWithErrorPropagation(writer) {
  const stream = writer.stream;
  const state = stream.state;
  if (writableStreamCloseQueuedOrInFlight(stream) || state === "closed") {
    return resolvedUndefined;
  }
  if (state === "errored") {
    return Promise.reject(stream.storedError);
  }
  return writableStreamClose(stream);
}

function writableStreamDefaultWriterEnsureClosedPromiseRejected(writer, error) {
  if (!writer.closed.settled) {
    writer.closed.reject(error);
  } else {
    writer.closed = rejectedDeferred(error);
  }
  markPromiseHandled(writer.closed.promise);
}

function writableStreamDefaultWriterEnsureReadyPromiseRejected(writer, error) {
  if (!writer.ready.settled) {
    writer.ready.reject(error);
  } else {
    writer.ready = rejectedDeferred(error);
  }
  markPromiseHandled(writer.ready.promise);
}

function writableStreamDefaultWriterGetDesiredSize(writer) {
  const stream = writer.stream;
  const state = stream.state;
  if (state === "errored" || state === "erroring") {
    return null;
  }
  if (state === "closed") {
    return 0;
  }
  return writableStreamDefaultControllerGetDesiredSize(stream.controller);
}

function writableStreamDefaultWriterRelease(writer) {
  const stream = writer.stream;
  const releasedError = new TypeError(
    "This writer has been released, so its stream can no longer be written through it.",
  );
  writableStreamDefaultWriterEnsureReadyPromiseRejected(writer, releasedError);
  writableStreamDefaultWriterEnsureClosedPromiseRejected(writer, releasedError);
  stream.writer = undefined;
  writer.stream = undefined;
}

function writableStreamDefaultWriterWrite(writer, chunk) {
  const stream = writer.stream;
  const controller = stream.controller;
  const chunkSize = writableStreamDefaultControllerGetChunkSize(controller, chunk);
  if (stream !== writer.stream) {
    return Promise.reject(new TypeError("This writer has been released."));
  }
  const state = stream.state;
  if (state === "errored") {
    return Promise.reject(stream.storedError);
  }
  if (writableStreamCloseQueuedOrInFlight(stream) || state === "closed") {
    return Promise.reject(
      new TypeError("The WritableStream is closing or closed, so it cannot be written to."),
    );
  }
  if (state === "erroring") {
    return Promise.reject(stream.storedError);
  }
  const promise = writableStreamAddWriteRequest(stream);
  writableStreamDefaultControllerWrite(controller, chunk, chunkSize);
  return promise;
}

// ---- WritableStreamDefaultController algorithms

function newWritableControllerRecord() {
  const controller = {
    object: undefined,
    stream: undefined,
    queue: [],
    queueTotalSize: 0,
    signal: undefined,
    started: false,
    strategySizeAlgorithm: undefined,
    strategyHWM: 1,
    writeAlgorithm: undefined,
    closeAlgorithm: undefined,
    abortAlgorithm: undefined,
  };
  controller.abortSteps = (reason) => {
    const result = controller.abortAlgorithm(reason);
    writableStreamDefaultControllerClearAlgorithms(controller);
    return result;
  };
  controller.errorSteps = () => resetQueue(controller);
  return controller;
}

function setUpWritableStreamDefaultController(
  stream,
  controller,
  startAlgorithm,
  writeAlgorithm,
  closeAlgorithm,
  abortAlgorithm,
  highWaterMark,
  sizeAlgorithm,
) {
  controller.stream = stream;
  stream.controller = controller;
  resetQueue(controller);
  controller.signal = requireChunk("abort").createAbortSignal();
  controller.started = false;
  controller.strategySizeAlgorithm = sizeAlgorithm;
  controller.strategyHWM = highWaterMark;
  controller.writeAlgorithm = writeAlgorithm;
  controller.closeAlgorithm = closeAlgorithm;
  controller.abortAlgorithm = abortAlgorithm;
  writableStreamUpdateBackpressure(
    stream,
    writableStreamDefaultControllerGetBackpressure(controller),
  );
  const startResult = startAlgorithm();
  uponPromise(
    Promise.resolve(startResult),
    () => {
      controller.started = true;
      writableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
    },
    (error) => {
      controller.started = true;
      writableStreamDealWithRejection(stream, error);
    },
  );
}

function writableStreamDefaultControllerAdvanceQueueIfNeeded(controller) {
  const stream = controller.stream;
  if (!controller.started || stream.inFlightWriteRequest !== undefined) {
    return;
  }
  if (stream.state === "erroring") {
    writableStreamFinishErroring(stream);
    return;
  }
  if (controller.queue.length === 0) {
    return;
  }
  const value = peekQueueValue(controller);
  if (value === CLOSE_SENTINEL) {
    writableStreamDefaultControllerProcessClose(controller);
  } else {
    writableStreamDefaultControllerProcessWrite(controller, value);
  }
}

function writableStreamDefaultControllerClearAlgorithms(controller) {
  controller.writeAlgorithm = undefined;
  controller.closeAlgorithm = undefined;
  controller.abortAlgorithm = undefined;
  controller.strategySizeAlgorithm = undefined;
}

function writableStreamDefaultControllerClose(controller) {
  enqueueValueWithSize(controller, CLOSE_SENTINEL, 0);
  writableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
}

function writableStreamDefaultControllerError(controller, error) {
  writableStreamDefaultControllerClearAlgorithms(controller);
  writableStreamStartErroring(controller.stream, error);
}

function writableStreamDefaultControllerErrorIfNeeded(controller, error) {
  if (controller.stream.state === "writable") {
    writableStreamDefaultControllerError(controller, error);
  }
}

function writableStreamDefaultControllerGetBackpressure(controller) {
  return writableStreamDefaultControllerGetDesiredSize(controller) <= 0;
}

function writableStreamDefaultControllerGetChunkSize(controller, chunk) {
  if (controller.strategySizeAlgorithm === undefined) {
    return 1;
  }
  try {
    return controller.strategySizeAlgorithm(chunk);
  } catch (error) {
    writableStreamDefaultControllerErrorIfNeeded(controller, error);
    return 1;
  }
}

function writableStreamDefaultControllerGetDesiredSize(controller) {
  return controller.strategyHWM - controller.queueTotalSize;
}

function writableStreamDefaultControllerProcessClose(controller) {
  const stream = controller.stream;
  writableStreamMarkCloseRequestInFlight(stream);
  dequeueValue(controller);
  const sinkClosePromise = controller.closeAlgorithm();
  writableStreamDefaultControllerClearAlgorithms(controller);
  uponPromise(
    sinkClosePromise,
    () => writableStreamFinishInFlightClose(stream),
    (reason) => writableStreamFinishInFlightCloseWithError(stream, reason),
  );
}

function writableStreamDefaultControllerProcessWrite(controller, chunk) {
  const stream = controller.stream;
  writableStreamMarkFirstWriteRequestInFlight(stream);
  const sinkWritePromise = controller.writeAlgorithm(chunk);
  uponPromise(
    sinkWritePromise,
    () => {
      writableStreamFinishInFlightWrite(stream);
      dequeueValue(controller);
      if (!writableStreamCloseQueuedOrInFlight(stream) && stream.state === "writable") {
        writableStreamUpdateBackpressure(
          stream,
          writableStreamDefaultControllerGetBackpressure(controller),
        );
      }
      writableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
    },
    (reason) => {
      if (stream.state === "writable") {
        writableStreamDefaultControllerClearAlgorithms(controller);
      }
      writableStreamFinishInFlightWriteWithError(stream, reason);
    },
  );
}

function writableStreamDefaultControllerWrite(controller, chunk, chunkSize) {
  try {
    enqueueValueWithSize(controller, chunk, chunkSize);
  } catch (error) {
    writableStreamDefaultControllerErrorIfNeeded(controller, error);
    return;
  }
  const stream = controller.stream;
  if (!writableStreamCloseQueuedOrInFlight(stream) && stream.state === "writable") {
    writableStreamUpdateBackpressure(
      stream,
      writableStreamDefaultControllerGetBackpressure(controller),
    );
  }
  writableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
}

// ---- Public writable classes

// Set by the static blocks of the classes below.
let writableStreamRecordOf;
let wrapWritableStream;
let wrapWritableController;
let wrapWriterRecord;

function requireWritableStream(value) {
  const record = writableStreamRecordOf(value);
  if (record === undefined) {
    throw new TypeError(ILLEGAL_INVOCATION_MESSAGE);
  }
  assertSameRequest(value, "WritableStream");
  return record;
}

class WritableStream {
  #record;

  static {
    writableStreamRecordOf = (value) =>
      value !== null && typeof value === "object" && #record in value ? value.#record : undefined;
    wrapWritableStream = (record) => {
      const object = new WritableStream(STREAMS_INTERNAL_TOKEN);
      object.#record = record;
      record.object = object;
      return object;
    };
  }

  constructor(underlyingSink = undefined, strategy = undefined) {
    claimForCurrentRequest(this);
    if (underlyingSink === STREAMS_INTERNAL_TOKEN) {
      return;
    }
    const queuingStrategy = readQueuingStrategy(strategy, "The queuing strategy");
    let sink = {};
    if (underlyingSink !== undefined && underlyingSink !== null) {
      if (typeof underlyingSink !== "object" && typeof underlyingSink !== "function") {
        throw new TypeError("The underlying sink of a WritableStream must be an object.");
      }
      const what = "the underlying sink";
      sink = {
        abort: readCallbackMember(underlyingSink, "abort", what),
        close: readCallbackMember(underlyingSink, "close", what),
        start: readCallbackMember(underlyingSink, "start", what),
        type: underlyingSink.type,
        write: readCallbackMember(underlyingSink, "write", what),
      };
    }
    if (sink.type !== undefined) {
      throw new RangeError("A WritableStream's underlying sink cannot have a type.");
    }
    const record = newWritableStreamRecord();
    record.object = this;
    this.#record = record;
    const sizeAlgorithm = extractSizeAlgorithm(queuingStrategy);
    const highWaterMark = extractHighWaterMark(queuingStrategy, 1);

    const controller = newWritableControllerRecord();
    controller.object = wrapWritableController(controller);
    let startAlgorithm = () => undefined;
    let writeAlgorithm = () => resolvedUndefined;
    let closeAlgorithm = () => resolvedUndefined;
    let abortAlgorithm = () => resolvedUndefined;
    if (sink.start !== undefined) {
      startAlgorithm = () => sink.start.call(underlyingSink, controller.object);
    }
    if (sink.write !== undefined) {
      writeAlgorithm = (chunk) =>
        promiseCall(sink.write, underlyingSink, [chunk, controller.object]);
    }
    if (sink.close !== undefined) {
      closeAlgorithm = () => promiseCall(sink.close, underlyingSink, []);
    }
    if (sink.abort !== undefined) {
      abortAlgorithm = (reason) => promiseCall(sink.abort, underlyingSink, [reason]);
    }
    setUpWritableStreamDefaultController(
      record,
      controller,
      startAlgorithm,
      writeAlgorithm,
      closeAlgorithm,
      abortAlgorithm,
      highWaterMark,
      sizeAlgorithm,
    );
  }

  get locked() {
    return isWritableStreamLocked(requireWritableStream(this));
  }

  abort(reason = undefined) {
    try {
      const record = requireWritableStream(this);
      if (isWritableStreamLocked(record)) {
        throw new TypeError(WRITABLE_LOCKED_MESSAGE);
      }
      return writableStreamAbort(record, reason);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close() {
    try {
      const record = requireWritableStream(this);
      if (isWritableStreamLocked(record)) {
        throw new TypeError(WRITABLE_LOCKED_MESSAGE);
      }
      if (writableStreamCloseQueuedOrInFlight(record)) {
        throw new TypeError("The WritableStream is already closing.");
      }
      return writableStreamClose(record);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  getWriter() {
    const record = requireWritableStream(this);
    const writer = acquireWritableStreamDefaultWriter(record);
    writer.object = wrapWriterRecord(writer);
    return writer.object;
  }
}
Object.defineProperty(WritableStream.prototype, Symbol.toStringTag, {
  value: "WritableStream",
  configurable: true,
});

class WritableStreamDefaultWriter {
  #record;

  static {
    wrapWriterRecord = (record) => {
      const object = new WritableStreamDefaultWriter(STREAMS_INTERNAL_TOKEN);
      object.#record = record;
      return object;
    };
  }

  constructor(stream) {
    claimForCurrentRequest(this);
    if (stream === STREAMS_INTERNAL_TOKEN) {
      return;
    }
    const streamRecord = writableStreamRecordOf(stream);
    if (streamRecord === undefined) {
      throw new TypeError("WritableStreamDefaultWriter requires a WritableStream.");
    }
    assertSameRequest(stream, "WritableStream");
    const record = { object: this, stream: undefined, ready: undefined, closed: undefined };
    setUpWritableStreamDefaultWriter(record, streamRecord);
    this.#record = record;
  }

  #require() {
    assertSameRequest(this, "WritableStreamDefaultWriter");
    return this.#record;
  }

  get closed() {
    return this.#record.closed.promise;
  }

  get desiredSize() {
    const record = this.#require();
    if (record.stream === undefined) {
      throw new TypeError("This writer has been released.");
    }
    return writableStreamDefaultWriterGetDesiredSize(record);
  }

  get ready() {
    return this.#record.ready.promise;
  }

  abort(reason = undefined) {
    try {
      const record = this.#require();
      if (record.stream === undefined) {
        throw new TypeError("This writer has been released.");
      }
      return writableStreamAbort(record.stream, reason);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close() {
    try {
      const record = this.#require();
      const stream = record.stream;
      if (stream === undefined) {
        throw new TypeError("This writer has been released.");
      }
      if (writableStreamCloseQueuedOrInFlight(stream)) {
        throw new TypeError("The WritableStream is already closing.");
      }
      return writableStreamClose(stream);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  releaseLock() {
    const record = this.#require();
    if (record.stream !== undefined) {
      writableStreamDefaultWriterRelease(record);
    }
  }

  write(chunk = undefined) {
    try {
      const record = this.#require();
      if (record.stream === undefined) {
        throw new TypeError("This writer has been released.");
      }
      return writableStreamDefaultWriterWrite(record, chunk);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
Object.defineProperty(WritableStreamDefaultWriter.prototype, Symbol.toStringTag, {
  value: "WritableStreamDefaultWriter",
  configurable: true,
});

class WritableStreamDefaultController {
  #record;

  static {
    wrapWritableController = (record) => {
      const object = new WritableStreamDefaultController(STREAMS_INTERNAL_TOKEN);
      object.#record = record;
      return object;
    };
  }

  constructor(token = undefined) {
    if (token !== STREAMS_INTERNAL_TOKEN) {
      throw new TypeError("Illegal constructor");
    }
  }

  get signal() {
    return this.#record.signal;
  }

  error(error = undefined) {
    const record = this.#record;
    if (record.stream.state !== "writable") {
      return;
    }
    writableStreamDefaultControllerError(record, error);
  }
}
Object.defineProperty(WritableStreamDefaultController.prototype, Symbol.toStringTag, {
  value: "WritableStreamDefaultController",
  configurable: true,
});

// ---- TransformStream

function initializeTransformStream(
  stream,
  startPromise,
  writableHighWaterMark,
  writableSizeAlgorithm,
  readableHighWaterMark,
  readableSizeAlgorithm,
) {
  const startAlgorithm = () => startPromise;
  stream.writable = createWritableStream(
    startAlgorithm,
    (chunk) => transformStreamDefaultSinkWriteAlgorithm(stream, chunk),
    () => transformStreamDefaultSinkCloseAlgorithm(stream),
    (reason) => transformStreamDefaultSinkAbortAlgorithm(stream, reason),
    writableHighWaterMark,
    writableSizeAlgorithm,
  );
  stream.readable = createReadableStream(
    startAlgorithm,
    () => transformStreamDefaultSourcePullAlgorithm(stream),
    (reason) => transformStreamDefaultSourceCancelAlgorithm(stream, reason),
    readableHighWaterMark,
    readableSizeAlgorithm,
  );
  stream.backpressure = undefined;
  stream.backpressureChangePromise = undefined;
  transformStreamSetBackpressure(stream, true);
  stream.controller = undefined;
}

function transformStreamError(stream, error) {
  readableStreamDefaultControllerError(stream.readable.controller, error);
  transformStreamErrorWritableAndUnblockWrite(stream, error);
}

function transformStreamErrorWritableAndUnblockWrite(stream, error) {
  transformStreamDefaultControllerClearAlgorithms(stream.controller);
  writableStreamDefaultControllerErrorIfNeeded(stream.writable.controller, error);
  transformStreamUnblockWrite(stream);
}

function transformStreamUnblockWrite(stream) {
  if (stream.backpressure) {
    transformStreamSetBackpressure(stream, false);
  }
}

function transformStreamSetBackpressure(stream, backpressure) {
  if (stream.backpressureChangePromise !== undefined) {
    stream.backpressureChangePromise.resolve(undefined);
  }
  stream.backpressureChangePromise = newDeferred();
  stream.backpressure = backpressure;
}

function transformStreamDefaultControllerClearAlgorithms(controller) {
  controller.transformAlgorithm = undefined;
  controller.flushAlgorithm = undefined;
  controller.cancelAlgorithm = undefined;
}

function transformStreamDefaultControllerEnqueue(controller, chunk) {
  const stream = controller.stream;
  const readableController = stream.readable.controller;
  if (!readableStreamDefaultControllerCanCloseOrEnqueue(readableController)) {
    throw new TypeError(
      "The readable side of the TransformStream is not in a state that permits enqueue.",
    );
  }
  try {
    readableStreamDefaultControllerEnqueue(readableController, chunk);
  } catch (error) {
    transformStreamErrorWritableAndUnblockWrite(stream, error);
    throw stream.readable.storedError;
  }
  const backpressure = readableStreamDefaultControllerHasBackpressure(readableController);
  if (backpressure !== stream.backpressure) {
    transformStreamSetBackpressure(stream, true);
  }
}

function transformStreamDefaultControllerPerformTransform(controller, chunk) {
  const transformPromise = controller.transformAlgorithm(chunk);
  return uponPromise(transformPromise, undefined, (reason) => {
    transformStreamError(controller.stream, reason);
    throw reason;
  });
}

function transformStreamDefaultControllerTerminate(controller) {
  const stream = controller.stream;
  readableStreamDefaultControllerClose(stream.readable.controller);
  transformStreamErrorWritableAndUnblockWrite(
    stream,
    new TypeError("The TransformStream has been terminated."),
  );
}

function transformStreamDefaultSinkWriteAlgorithm(stream, chunk) {
  const controller = stream.controller;
  if (stream.backpressure) {
    return uponPromise(stream.backpressureChangePromise.promise, () => {
      const writable = stream.writable;
      if (writable.state === "erroring") {
        throw writable.storedError;
      }
      return transformStreamDefaultControllerPerformTransform(controller, chunk);
    });
  }
  return transformStreamDefaultControllerPerformTransform(controller, chunk);
}

function transformStreamDefaultSinkAbortAlgorithm(stream, reason) {
  const controller = stream.controller;
  if (controller.finishPromise !== undefined) {
    return controller.finishPromise.promise;
  }
  const readable = stream.readable;
  controller.finishPromise = newDeferred();
  const cancelPromise = controller.cancelAlgorithm(reason);
  transformStreamDefaultControllerClearAlgorithms(controller);
  uponPromise(
    cancelPromise,
    () => {
      if (readable.state === "errored") {
        controller.finishPromise.reject(readable.storedError);
      } else {
        readableStreamDefaultControllerError(readable.controller, reason);
        controller.finishPromise.resolve(undefined);
      }
    },
    (error) => {
      readableStreamDefaultControllerError(readable.controller, error);
      controller.finishPromise.reject(error);
    },
  );
  return controller.finishPromise.promise;
}

function transformStreamDefaultSinkCloseAlgorithm(stream) {
  const controller = stream.controller;
  if (controller.finishPromise !== undefined) {
    return controller.finishPromise.promise;
  }
  const readable = stream.readable;
  controller.finishPromise = newDeferred();
  const flushPromise = controller.flushAlgorithm();
  transformStreamDefaultControllerClearAlgorithms(controller);
  uponPromise(
    flushPromise,
    () => {
      if (readable.state === "errored") {
        controller.finishPromise.reject(readable.storedError);
      } else {
        readableStreamDefaultControllerClose(readable.controller);
        controller.finishPromise.resolve(undefined);
      }
    },
    (error) => {
      readableStreamDefaultControllerError(readable.controller, error);
      controller.finishPromise.reject(error);
    },
  );
  return controller.finishPromise.promise;
}

function transformStreamDefaultSourceCancelAlgorithm(stream, reason) {
  const controller = stream.controller;
  if (controller.finishPromise !== undefined) {
    return controller.finishPromise.promise;
  }
  const writable = stream.writable;
  controller.finishPromise = newDeferred();
  const cancelPromise = controller.cancelAlgorithm(reason);
  transformStreamDefaultControllerClearAlgorithms(controller);
  uponPromise(
    cancelPromise,
    () => {
      if (writable.state === "errored") {
        controller.finishPromise.reject(writable.storedError);
      } else {
        writableStreamDefaultControllerErrorIfNeeded(writable.controller, reason);
        transformStreamUnblockWrite(stream);
        controller.finishPromise.resolve(undefined);
      }
    },
    (error) => {
      writableStreamDefaultControllerErrorIfNeeded(writable.controller, error);
      transformStreamUnblockWrite(stream);
      controller.finishPromise.reject(error);
    },
  );
  return controller.finishPromise.promise;
}

function transformStreamDefaultSourcePullAlgorithm(stream) {
  transformStreamSetBackpressure(stream, false);
  return stream.backpressureChangePromise.promise;
}

/**
 * Creates a TransformStream record from internal algorithms: `transform(chunk, controller)` and
 * `flush(controller)` return promises (or throw), and `controller` is the internal record.
 */
function createTransformStream(
  transformAlgorithm,
  flushAlgorithm,
  cancelAlgorithm = () => resolvedUndefined,
) {
  const stream = {
    readable: undefined,
    writable: undefined,
    backpressure: undefined,
    backpressureChangePromise: undefined,
    controller: undefined,
  };
  const startPromise = newDeferred();
  initializeTransformStream(
    stream,
    startPromise.promise,
    1,
    () => 1,
    0,
    () => 1,
  );
  const controller = newTransformControllerRecord();
  setUpTransformStreamDefaultController(
    stream,
    controller,
    (chunk) => {
      try {
        return Promise.resolve(transformAlgorithm(chunk, controller));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    () => {
      try {
        return Promise.resolve(flushAlgorithm(controller));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    cancelAlgorithm,
  );
  startPromise.resolve(undefined);
  return stream;
}

function newTransformControllerRecord() {
  return {
    object: undefined,
    stream: undefined,
    transformAlgorithm: undefined,
    flushAlgorithm: undefined,
    cancelAlgorithm: undefined,
    finishPromise: undefined,
  };
}

function setUpTransformStreamDefaultController(
  stream,
  controller,
  transformAlgorithm,
  flushAlgorithm,
  cancelAlgorithm,
) {
  controller.stream = stream;
  stream.controller = controller;
  controller.transformAlgorithm = transformAlgorithm;
  controller.flushAlgorithm = flushAlgorithm;
  controller.cancelAlgorithm = cancelAlgorithm;
}

// Set by the static block of TransformStreamDefaultController.
let wrapTransformController;

class TransformStream {
  #record;

  constructor(transformer = undefined, writableStrategy = undefined, readableStrategy = undefined) {
    claimForCurrentRequest(this);
    const writableQueuingStrategy = readQueuingStrategy(writableStrategy, "The writable strategy");
    const readableQueuingStrategy = readQueuingStrategy(readableStrategy, "The readable strategy");
    let dictionary = {};
    if (transformer !== undefined && transformer !== null) {
      if (typeof transformer !== "object" && typeof transformer !== "function") {
        throw new TypeError("The transformer of a TransformStream must be an object.");
      }
      const what = "the transformer";
      dictionary = {
        cancel: readCallbackMember(transformer, "cancel", what),
        flush: readCallbackMember(transformer, "flush", what),
        readableType: transformer.readableType,
        start: readCallbackMember(transformer, "start", what),
        transform: readCallbackMember(transformer, "transform", what),
        writableType: transformer.writableType,
      };
    }
    if (dictionary.readableType !== undefined) {
      throw new RangeError("A transformer cannot have a readableType.");
    }
    if (dictionary.writableType !== undefined) {
      throw new RangeError("A transformer cannot have a writableType.");
    }
    const readableHighWaterMark = extractHighWaterMark(readableQueuingStrategy, 0);
    const readableSizeAlgorithm = extractSizeAlgorithm(readableQueuingStrategy);
    const writableHighWaterMark = extractHighWaterMark(writableQueuingStrategy, 1);
    const writableSizeAlgorithm = extractSizeAlgorithm(writableQueuingStrategy);

    const record = {
      readable: undefined,
      writable: undefined,
      backpressure: undefined,
      backpressureChangePromise: undefined,
      controller: undefined,
    };
    this.#record = record;
    const startPromise = newDeferred();
    initializeTransformStream(
      record,
      startPromise.promise,
      writableHighWaterMark,
      writableSizeAlgorithm,
      readableHighWaterMark,
      readableSizeAlgorithm,
    );

    const controller = newTransformControllerRecord();
    controller.object = wrapTransformController(controller);
    let transformAlgorithm = (chunk) => {
      try {
        transformStreamDefaultControllerEnqueue(controller, chunk);
        return resolvedUndefined;
      } catch (error) {
        return Promise.reject(error);
      }
    };
    let flushAlgorithm = () => resolvedUndefined;
    let cancelAlgorithm = () => resolvedUndefined;
    if (dictionary.transform !== undefined) {
      transformAlgorithm = (chunk) =>
        promiseCall(dictionary.transform, transformer, [chunk, controller.object]);
    }
    if (dictionary.flush !== undefined) {
      flushAlgorithm = () => promiseCall(dictionary.flush, transformer, [controller.object]);
    }
    if (dictionary.cancel !== undefined) {
      cancelAlgorithm = (reason) => promiseCall(dictionary.cancel, transformer, [reason]);
    }
    setUpTransformStreamDefaultController(
      record,
      controller,
      transformAlgorithm,
      flushAlgorithm,
      cancelAlgorithm,
    );
    if (dictionary.start !== undefined) {
      startPromise.resolve(dictionary.start.call(transformer, controller.object));
    } else {
      startPromise.resolve(undefined);
    }
  }

  get readable() {
    return this.#record.readable.object;
  }

  get writable() {
    return this.#record.writable.object;
  }
}
Object.defineProperty(TransformStream.prototype, Symbol.toStringTag, {
  value: "TransformStream",
  configurable: true,
});

class TransformStreamDefaultController {
  #record;

  static {
    wrapTransformController = (record) => {
      const object = new TransformStreamDefaultController(STREAMS_INTERNAL_TOKEN);
      object.#record = record;
      return object;
    };
  }

  constructor(token = undefined) {
    if (token !== STREAMS_INTERNAL_TOKEN) {
      throw new TypeError("Illegal constructor");
    }
  }

  get desiredSize() {
    return readableStreamDefaultControllerGetDesiredSize(this.#record.stream.readable.controller);
  }

  enqueue(chunk = undefined) {
    transformStreamDefaultControllerEnqueue(this.#record, chunk);
  }

  error(reason = undefined) {
    transformStreamError(this.#record.stream, reason);
  }

  terminate() {
    transformStreamDefaultControllerTerminate(this.#record);
  }
}
Object.defineProperty(TransformStreamDefaultController.prototype, Symbol.toStringTag, {
  value: "TransformStreamDefaultController",
  configurable: true,
});

// ---- Queuing strategies

/**
 * Reads the `highWaterMark` member of a strategy's init. The standard requires it, but workerd
 * accepts its absence and converts it to NaN, and so does this runtime.
 */
function readStrategyInit(init, name) {
  if (init === null || typeof init !== "object") {
    throw new TypeError(`Failed to construct '${name}': the init argument must be an object.`);
  }
  return Number(init.highWaterMark);
}

// The standard makes each size function one object per realm, and not a method.
const byteLengthSize = function size(chunk) {
  return chunk.byteLength;
};
const countSize = function size() {
  return 1;
};

class ByteLengthQueuingStrategy {
  #highWaterMark;

  constructor(init) {
    this.#highWaterMark = readStrategyInit(init, "ByteLengthQueuingStrategy");
  }

  get highWaterMark() {
    return this.#highWaterMark;
  }

  get size() {
    return byteLengthSize;
  }
}
Object.defineProperty(ByteLengthQueuingStrategy.prototype, Symbol.toStringTag, {
  value: "ByteLengthQueuingStrategy",
  configurable: true,
});

class CountQueuingStrategy {
  #highWaterMark;

  constructor(init) {
    this.#highWaterMark = readStrategyInit(init, "CountQueuingStrategy");
  }

  get highWaterMark() {
    return this.#highWaterMark;
  }

  get size() {
    return countSize;
  }
}
Object.defineProperty(CountQueuingStrategy.prototype, Symbol.toStringTag, {
  value: "CountQueuingStrategy",
  configurable: true,
});

return {
  ReadableStream,
  ReadableStreamDefaultReader,
  ReadableStreamBYOBReader,
  ReadableStreamDefaultController,
  ReadableByteStreamController,
  ReadableStreamBYOBRequest,
  WritableStream,
  WritableStreamDefaultWriter,
  WritableStreamDefaultController,
  TransformStream,
  TransformStreamDefaultController,
  ByteLengthQueuingStrategy,
  CountQueuingStrategy,
  STREAM_LOCKED_MESSAGE,
  acquireReadableStreamDefaultReader,
  bufferedStreamBytes,
  createBufferedByteStream,
  createReadableStream,
  createTransformStream,
  isReadableStreamLocked,
  markStreamConsumed,
  newDeferred,
  promiseReadRequest,
  readAllBytes,
  readableStreamDefaultControllerClose,
  readableStreamDefaultControllerEnqueue,
  readableStreamDefaultControllerError,
  readableStreamDefaultReaderRead,
  readableStreamPipeTo,
  readableStreamReaderGenericCancel,
  readableStreamRecordOf,
  readableStreamTee,
  transformStreamDefaultControllerEnqueue,
};
