// The library page. Who is signed in decides the way through it: members get the catalogue
// and their own loans, holds and card; librarians get the desk and every list. Each tab loads
// the first time it opens; live events refresh the tabs they touch.

import { hasRole, loadProfile, showFor } from "./roles.js";
import { setUpTabs } from "./tabs.js";
import { requireSignIn } from "./ui.js";
import * as catalogue from "./library-catalogue.js";
import * as desk from "./library-desk.js";
import * as lists from "./library-lists.js";
import * as reader from "./library-reader.js";

async function start() {
  const user = await loadProfile();
  const main = document.querySelector("main");
  showFor(user, main);
  const context = { user, librarian: hasRole(user, "librarian") };
  const sections = {};
  context.open = (name, { author } = {}) => {
    if (author) sections.catalogue.filterByAuthor(author);
    tabs.show(name);
  };
  context.desk = desk.setUp(context);
  Object.assign(sections, {
    desk: context.desk,
    catalogue: catalogue.setUp(context),
    ...reader.setUp(context),
    ...lists.setUp(context),
  });
  const loaded = new Set();
  let first = null;
  const tabs = setUpTabs(main.querySelector(".tabs"), {
    // A tab loads when it opens, and again each time it is opened (what another tab changed shows).
    onShow(name) {
      loaded.add(name);
      const loading = sections[name]?.load();
      first ??= loading;
    },
  });
  window.addEventListener("circulate:event", (event) => {
    const type = String(event.detail?.type || "");
    for (const name of loaded) sections[name]?.onEvent?.(type);
  });
  await first;
  document.body.dataset.ready = "true";
}

if (requireSignIn()) await start();
