let count = 0;

export default {
  fetch(request) {
    count += 1;
    return new Response(String(count));
  },
};
