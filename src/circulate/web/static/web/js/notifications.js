// The navbar bell: a WebSocket to /ws/notifications/ keeps the unread counter live,
// a toast names each new event, and opening the list marks everything seen.
//
// Nothing is missed while the socket is down: before the first connect the newest event's
// sequence number is read from the REST API, and every (re)connect asks the server to replay
// what came after the last event this page saw (?after=). The server sends the replay first,
// then the unread count; replayed events join the open panel marked "while offline".

import { api, getSession, refreshAccess } from "./api.js";
import { h, toast, when } from "./ui.js";

const LABELS = {
  "book.created": "New book",
  "book.updated": "Book changed",
  "book.deleted": "Book removed",
  "member.created": "New member",
  "loan.issued": "Loan issued",
  "loan.returned": "Loan returned",
  "reservation.ready": "Your reservation is ready",
};

function humanise(type) {
  const text = String(type || "event").replace(/[._]/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function subject(data) {
  if (!data || typeof data !== "object") return "";
  const name = data.title || data.book_title || data.name || data.member_name || data.book?.title || "";
  return name ? String(name) : "";
}

export function describeEvent(event) {
  const label = LABELS[event.type] || humanise(event.type);
  const name = subject(event.data);
  return name ? `${label}: ${name}` : label;
}

function socketUrl(token, after) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const params = new URLSearchParams({ token });
  if (after !== null) params.set("after", String(after));
  return `${scheme}://${window.location.host}/ws/notifications/?${params}`;
}

export function startNotifications({ bell, badge, panel, list }) {
  let socket = null;
  let lastSeq = null; // the newest event this page knows of; null until read from the API
  const delivered = new Set(); // events already shown (a replayed event may also arrive live)
  let replaying = false;
  let missed = [];
  let retry = 0;
  let stopped = false;
  let timer = null;

  function setCount(count) {
    badge.textContent = String(count);
    badge.dataset.count = String(count);
    bell.setAttribute("aria-label", `Notifications, ${count} unread`);
    bell.classList.toggle("has-unread", count > 0);
  }

  function item(event, { offline = false } = {}) {
    return h(
      "li",
      { dataset: { seq: String(event.seq) }, class: event.unread || offline ? "unread" : null },
      event.unread || offline ? h("span", { class: "tag yes" }, "new") : null,
      " ",
      h("strong", {}, describeEvent(event)),
      h("span", { class: "muted" }, ` · ${event.type} · ${when(event.at)}`),
      offline ? h("span", { class: "tag" }, "while offline") : null,
    );
  }

  function deliver(event, { offline }) {
    if (typeof event.seq === "number") {
      if (delivered.has(event.seq)) return;
      delivered.add(event.seq);
      lastSeq = Math.max(lastSeq ?? 0, event.seq);
    }
    if (!offline) toast(describeEvent(event));
    window.dispatchEvent(new CustomEvent("circulate:event", { detail: event }));
    if (!panel.hidden) list.querySelector(":scope > li.muted")?.remove();
    if (!panel.hidden) list.prepend(item(event, { offline }));
  }

  async function connect() {
    const token = getSession()?.access;
    if (!token || stopped) return;
    if (lastSeq === null) {
      const newest = await api("GET", "/api/notifications/?page_size=1");
      if (stopped) return;
      lastSeq = newest.ok ? newest.data.results?.[0]?.seq ?? 0 : null;
    }
    socket = new WebSocket(socketUrl(token, lastSeq));
    replaying = lastSeq !== null;
    missed = [];
    socket.addEventListener("open", () => {
      retry = 0;
      bell.dataset.live = "true";
    });
    socket.addEventListener("message", (message) => {
      let data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      if (data.type === "unread") {
        setCount(Number(data.count) || 0);
        if (replaying) {
          // The replay is over: name what arrived while this page was offline.
          replaying = false;
          const fresh = missed.filter((event) => !delivered.has(event.seq));
          for (const event of fresh) deliver(event, { offline: true });
          if (fresh.length) toast(`${fresh.length} notification${fresh.length === 1 ? "" : "s"} arrived while you were offline`);
        }
        return;
      }
      // A live event carries the unread count after it (replayed ones do not: the count follows them).
      if (typeof data.unread_count === "number") setCount(data.unread_count);
      if (replaying) missed.push(data);
      else deliver(data, { offline: false });
    });
    socket.addEventListener("close", async (event) => {
      bell.dataset.live = "false";
      socket = null;
      if (stopped) return;
      if (event.code === 4401 && !(await refreshAccess())) return;
      retry = Math.min(retry + 1, 5);
      timer = setTimeout(connect, 500 * 2 ** retry);
    });
  }

  async function open() {
    panel.hidden = false;
    bell.setAttribute("aria-expanded", "true");
    panel.focus();
    list.replaceChildren(h("li", { class: "muted" }, "Loading…"));
    const result = await api("GET", "/api/notifications/");
    if (!result.ok) {
      list.replaceChildren(h("li", { class: "error" }, result.data?.detail || `HTTP ${result.status}`));
      return;
    }
    const events = result.data?.results || [];
    list.replaceChildren(...(events.length ? events.map(item) : [h("li", { class: "muted" }, "Nothing yet.")]));
    const newest = events.reduce((max, event) => Math.max(max, event.seq || 0), 0);
    for (const event of events) delivered.add(event.seq);
    lastSeq = Math.max(lastSeq ?? 0, newest);
    const seen = await api("POST", "/api/notifications/mark-seen/", newest ? { seq: newest } : {});
    if (seen.ok) setCount(typeof seen.data?.count === "number" ? seen.data.count : 0);
  }

  function close() {
    panel.hidden = true;
    bell.setAttribute("aria-expanded", "false");
  }

  bell.addEventListener("click", () => (panel.hidden ? open() : close()));
  function closeOnClickOutside(event) {
    if (!panel.hidden && !panel.contains(event.target) && !bell.contains(event.target)) close();
  }
  document.addEventListener("click", closeOnClickOutside);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      close();
      bell.focus();
    }
  });

  setCount(0);
  connect();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("click", closeOnClickOutside);
      if (socket) socket.close();
    },
  };
}
