function redirect(request) {
  const from = new URL(request.url).pathname.slice(1);
  const target = `https://target.invalid/next?from=${from}`;
  if (from === 'default') {
    return Response.redirect(target);
  }
  try {
    return Response.redirect(target, Number(from));
  } catch (error) {
    return new Response(error.name);
  }
}

export default {
  fetch(request) {
    return redirect(request);
  },
};
