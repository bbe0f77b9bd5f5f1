function recordingSink(log) {
  return new WritableStream({
    write(chunk) {
      log.push(`write ${chunk}`);
    },
    close() {
      log.push('close');
    },
    abort(reason) {
      log.push(`abort ${reason}`);
    },
  });
}

function twoChunks() {
  return new ReadableStream({
    start(controller) {
      controller.enqueue('a');
      controller.enqueue('b');
      controller.close();
    },
  });
}

async function handle(request) {
  const closing = [];
  await twoChunks().pipeTo(recordingSink(closing));

  const kept = [];
  const keptDest = recordingSink(kept);
  await twoChunks().pipeTo(keptDest, { preventClose: true });
  const destStillUnlocked = !keptDest.locked;

  const aborted = [];
  const failing = new ReadableStream({
    start(controller) {
      controller.error('source broke');
    },
  });
  const sourceError = await failing.pipeTo(recordingSink(aborted)).then(
    () => 'resolved',
    (error) => error,
  );

  const notAborted = [];
  const failing2 = new ReadableStream({
    start(controller) {
      controller.error('source broke');
    },
  });
  await failing2.pipeTo(recordingSink(notAborted), { preventAbort: true }).catch(() => {});

  const signalled = [];
  let cancelledWith = null;
  const endless = new ReadableStream({
    pull(controller) {
      controller.enqueue('tick');
      return new Promise((resolve) => setTimeout(resolve, 5));
    },
    cancel(reason) {
      cancelledWith = reason;
    },
  });
  const controller = new AbortController();
  const piping = endless.pipeTo(recordingSink(signalled), { signal: controller.signal });
  await new Promise((resolve) => setTimeout(resolve, 20));
  controller.abort('stop');
  const signalError = await piping.then(
    () => 'resolved',
    (error) => error,
  );

  return Response.json({
    closing,
    kept,
    destStillUnlocked,
    sourceError,
    aborted,
    notAborted,
    signalError,
    cancelledWith,
    signalledEndsWithAbort: signalled[signalled.length - 1],
  });
}

export default { fetch: handle };
