import { api } from "./api.js";
import { $, busy, h, outcome, requireSignIn, when } from "./ui.js";

const URL_PATTERN = /(https?:\/\/[^\s<>"')]+)/g;

// The body as text, with every URL a link.
function linkified(text) {
  const pre = h("pre");
  for (const [index, part] of String(text).split(URL_PATTERN).entries()) {
    pre.append(index % 2 ? h("a", { href: part }, part) : part);
  }
  return pre;
}

function message(mail) {
  return h(
    "article",
    { class: "outbox-message" },
    h("h2", {}, mail.subject),
    h("p", { class: "muted" }, `To ${[].concat(mail.to).join(", ")} · ${when(mail.sent_at)}`),
    linkified(mail.body),
  );
}

async function load() {
  const result = await busy($("#outbox-reload"), () => api("GET", "/api/dev/outbox/"));
  const messages = Array.isArray(result.data) ? result.data : result.data?.results || [];
  outcome($("#outbox-outcome"), result, `${result.data?.count ?? messages.length} message(s).`);
  const box = $("#outbox-messages");
  box.replaceChildren(...(result.ok ? messages.map(message) : []));
}

if (requireSignIn()) {
  $("#outbox-reload").addEventListener("click", load);
  load();
}
