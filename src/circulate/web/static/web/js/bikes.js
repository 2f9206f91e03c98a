// The bike rental page. Riders get their ride (take a bike, a running timer, finish at a
// station, the price arriving live), the stations as a table and a map, and their rides;
// fleet managers also get the bikes, the rides under way and the plans to manage.

import { hasRole, loadProfile, showFor } from "./roles.js";
import { setUpTabs } from "./tabs.js";
import { requireSignIn } from "./ui.js";
import * as fleet from "./bikes-fleet.js";
import * as ride from "./bikes-ride.js";
import * as stations from "./bikes-stations.js";

async function start() {
  const user = await loadProfile();
  const main = document.querySelector("main");
  showFor(user, main);
  const context = { user, fleet: hasRole(user, "fleet_manager") };
  const sections = {
    ...ride.setUp(context),
    ...stations.setUp(context),
    ...fleet.setUp(context),
  };
  let first = null;
  const shown = new Set();
  setUpTabs(main.querySelector(".tabs"), {
    onShow(name) {
      shown.add(name);
      const loading = sections[name]?.load();
      first ??= loading;
    },
  });
  window.addEventListener("circulate:event", (event) => {
    const type = String(event.detail?.type || "");
    for (const name of shown) sections[name]?.onEvent?.(type, event.detail);
  });
  await first;
  document.body.dataset.ready = "true";
}

if (requireSignIn()) await start();
