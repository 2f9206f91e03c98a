// Riding: take a bike from a station, watch the timer and the estimate, finish at a station,
// see the price arrive (the live event rental.priced); and the history of rides with receipts.

import { api, getSession, idempotentAction, query } from "./api.js";
import { BASE, describePlan, duration, fillStations, listAll, money } from "./bikes-common.js";
import { PagedTable } from "./paged-table.js";
import { $, actionButton, answer, answerNode, busy, h, options, report, when } from "./ui.js";

export function setUp({ user, fleet }) {
  let current = null;
  let timer = null;
  let lastFinished = null;
  // rental.priced may arrive before the answer to "finish" does (a fast worker): keep what came.
  const pricedEarly = new Map();
  const start = idempotentAction();
  const finish = idempotentAction();

  // --- not riding: pick a station, then a bike -----------------------------------------------------
  const here = new PagedTable($('[data-table="here"]'), {
    path: `${BASE}/bikes/`,
    fixed: { available: "true", station: "" },
    empty: "No bike is ready at this station.",
    row: (bike) =>
      h(
        "tr",
        {},
        h("td", {}, h("strong", {}, bike.serial)),
        h("td", {}, bike.vehicle_type.name),
        h("td", {}, bike.current_range_meters ? `${Math.round(bike.current_range_meters / 1000)} km` : "—"),
        h("td", { class: "actions" }, actionButton("Start", () => startRide(bike), { "aria-label": `Start a ride on ${bike.serial}` })),
      ),
  });

  async function startRide(bike) {
    const plan = $("#pick-plan").value;
    const result = await start("POST", `${BASE}/rentals/`, plan ? { bike: bike.id, plan: Number(plan) } : { bike: bike.id });
    here.note(bike.id, result, `Ride started on ${bike.serial}. Enjoy the ride.`);
    if (result.ok) await showRide(result.data);
    else here.updateRow(bike);
  }

  async function pickStation() {
    here.fixed.station = $("#pick-station").value;
    await here.load();
  }
  $("#pick-station").addEventListener("change", pickStation);

  // --- riding: the timer, the estimate, finishing -----------------------------------------------------
  function tick() {
    if (!current) return;
    $("#riding-timer").textContent = duration((Date.now() - Date.parse(current.started_at)) / 1000);
  }

  async function refreshEstimate() {
    const result = await api("GET", `${BASE}/rentals/${current.id}/`);
    if (result.ok) $("#riding-estimate").textContent = money(result.data.estimate, result.data.currency);
  }

  async function showRide(rental) {
    current = rental;
    $("#riding").hidden = false;
    $("#not-riding").hidden = true;
    $("#riding-bike").textContent = rental.bike.serial;
    $("#riding-from").textContent = `${rental.start_station.name}, ${when(rental.started_at)}`;
    $("#riding-estimate").textContent = money(rental.estimate, rental.currency);
    clearInterval(timer);
    let seconds = 0;
    timer = setInterval(() => {
      tick();
      seconds += 1;
      if (seconds % 30 === 0) refreshEstimate();
    }, 1000);
    tick();
    await fillStations($("#finish-station"), {
      filter: (station) => station.is_returning && station.is_installed && station.docks_available > 0,
      label: (station) => `${station.name} (${station.docks_available} free docks)`,
    });
  }

  async function showPicker() {
    current = null;
    clearInterval(timer);
    $("#riding").hidden = true;
    $("#not-riding").hidden = false;
    const [stations, plans] = await Promise.all([
      fillStations($("#pick-station"), { filter: (station) => station.is_renting && station.bikes_available > 0 }),
      listAll("pricing-plans/"),
    ]);
    options($("#pick-plan"), plans, {
      label: (plan) => `${plan.name}: ${describePlan(plan)}`,
      selected: plans.find((plan) => plan.is_default)?.id ?? "",
    });
    if (stations.length) await pickStation();
    else here.body.replaceChildren(h("tr", {}, h("td", { colspan: "4", class: "muted" }, "No station has a bike ready right now.")));
  }

  $("#finish-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = $("#finish-button");
    const station = Number($("#finish-station").value);
    const result = await busy(button, () => finish("POST", `${BASE}/rentals/${current.id}/finish/`, { station }));
    if (!result.ok) {
      answer(button, result);
      return;
    }
    lastFinished = result.data;
    const early = pricedEarly.get(lastFinished.id);
    if (early) lastFinished = { ...lastFinished, cost: early.cost, cost_status: "priced" };
    report(result, "Ride over.");
    showLastRide();
    await showPicker();
  });

  function showLastRide() {
    const ride = lastFinished;
    if (!ride) return;
    const box = $("#last-ride");
    box.hidden = false;
    const priced = ride.cost_status === "priced";
    const money_ = priced ? money(ride.cost, ride.currency) : `about ${money(ride.estimate, ride.currency)}, being priced…`;
    $("#last-ride-summary").textContent = `${ride.bike.serial} to ${ride.end_station.name}: ${duration(ride.duration_seconds)} · ${money_}`;
    box.querySelector(":scope > .outcome")?.remove();
    if (priced) box.append(answerNode(`Priced: ${money(ride.cost, ride.currency)}. The receipt is under My rides.`, true));
  }

  // The caller's ride under way, if any (a list, so that "not riding" is an empty answer, not an error).
  async function loadRide() {
    const result = await api("GET", `${BASE}/rentals/${query({ status: "active", rider: user.id, page_size: 1 })}`);
    if (!result.ok) return report(result);
    const [ride] = result.data.results;
    if (ride) await showRide(ride);
    else await showPicker();
  }

  // --- history and totals ------------------------------------------------------------------------------
  const rides = new PagedTable($('[data-table="rides"]'), {
    path: `${BASE}/rentals/`,
    empty: "No rides yet.",
    row: (ride) =>
      h(
        "tr",
        {},
        h("td", {}, when(ride.started_at)),
        h("td", {}, ride.bike.serial, fleet ? h("span", { class: "muted" }, ` · rider #${ride.rider}`) : null),
        h("td", {}, ride.start_station.name, " → ", ride.end_station ? ride.end_station.name : h("span", { class: "tag" }, "riding")),
        h("td", {}, ride.duration_seconds === null ? "—" : String(Math.floor(ride.duration_seconds / 60))),
        h(
          "td",
          {},
          ride.cost_status === "priced" ? money(ride.cost, ride.currency) : h("span", { class: "muted" }, `${ride.cost_status} (≈ ${ride.estimate})`),
        ),
        h("td", { class: "actions" }, ride.receipt ? actionButton("Receipt", (node) => showReceipt(ride, node), { "aria-label": `Receipt of ride ${ride.id}` }) : null),
      ),
  });

  async function showReceipt(ride, button) {
    const response = await fetch(ride.receipt, { headers: { Authorization: `Bearer ${getSession()?.access}` } }).catch(() => null);
    const cell = button.closest("td");
    cell.querySelector("pre")?.remove();
    if (!response || !response.ok) {
      cell.append(answerNode(`The receipt could not be fetched here; it is at ${ride.receipt}.`, false));
      return;
    }
    cell.append(h("pre", { class: "receipt" }, await response.text()));
  }

  async function loadTotals() {
    const result = await api("GET", `${BASE}/profile/`);
    if (!result.ok) return report(result);
    const profile = result.data;
    const spent = profile.spent.map((row) => `${row.amount} ${row.currency}`).join(", ") || "nothing yet";
    $("#totals").replaceChildren(
      h("dt", {}, "Rides"), h("dd", {}, String(profile.rides)),
      h("dt", {}, "Minutes ridden"), h("dd", {}, String(profile.minutes_ridden)),
      h("dt", {}, "Spent"), h("dd", {}, spent),
    );
  }

  return {
    ride: {
      load: loadRide,
      onEvent(type, event) {
        if (type === "rental.priced") {
          pricedEarly.set(event.data?.rental_id, event.data);
          if (lastFinished && event.data?.rental_id === lastFinished.id) {
            lastFinished = { ...lastFinished, cost: event.data.cost, cost_status: "priced" };
            showLastRide();
          }
        }
        if (type === "bike.updated" && !current) here.reload();
      },
    },
    history: {
      load: () => Promise.all([rides.load(), loadTotals()]),
      onEvent: (type) => type.startsWith("rental.") && Promise.all([rides.reload(), loadTotals()]),
    },
  };
}
