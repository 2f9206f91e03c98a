// Tabs: one entity per tab, so no page is longer than a couple of screens. Markup:
//   <div class="tabs" role="tablist" aria-label="..."><button role="tab" data-tab="loans">Loans</button>...</div>
//   <section role="tabpanel" data-tab="loans">...</section>
// The open tab is kept in the URL (?tab=loans); arrow keys, Home and End move between tabs.
// Tabs hidden by showFor() are skipped. onShow(name) runs each time a tab opens.

import { readParam, writeParams } from "./url-state.js";

export function setUpTabs(list, { onShow, param = "tab" }) {
  const tabs = () => [...list.querySelectorAll('[role="tab"]')].filter((tab) => !tab.hidden);
  const panelOf = (tab) => document.querySelector(`[role="tabpanel"][data-tab="${tab.dataset.tab}"]`);

  for (const tab of list.querySelectorAll('[role="tab"]')) {
    const panel = panelOf(tab);
    tab.id ||= `tab-${tab.dataset.tab}`;
    tab.type = "button";
    if (panel) {
      panel.id ||= `panel-${tab.dataset.tab}`;
      tab.setAttribute("aria-controls", panel.id);
      panel.setAttribute("aria-labelledby", tab.id);
      panel.tabIndex = 0;
    }
  }

  function select(tab, { focus = false, remember = true } = {}) {
    for (const other of list.querySelectorAll('[role="tab"]')) {
      const chosen = other === tab;
      other.setAttribute("aria-selected", chosen ? "true" : "false");
      other.tabIndex = chosen ? 0 : -1;
      const panel = panelOf(other);
      if (panel) panel.hidden = !chosen;
    }
    if (focus) tab.focus();
    if (remember) writeParams({ [param]: tab.dataset.tab });
    onShow?.(tab.dataset.tab);
  }

  list.addEventListener("click", (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab && !tab.hidden) select(tab);
  });
  list.addEventListener("keydown", (event) => {
    const visible = tabs();
    const index = visible.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: visible.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    select(visible[(moves[event.key] + visible.length) % visible.length], { focus: true });
  });

  const wanted = readParam(param);
  const initial = tabs().find((tab) => tab.dataset.tab === wanted) || tabs()[0];
  if (initial) select(initial, { remember: Boolean(wanted) });
  return {
    show(name) {
      const tab = tabs().find((candidate) => candidate.dataset.tab === name);
      if (tab) select(tab);
    },
    current: () => tabs().find((tab) => tab.getAttribute("aria-selected") === "true")?.dataset.tab,
  };
}
