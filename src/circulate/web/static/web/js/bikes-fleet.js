// The fleet manager's tabs: bikes (repair and back, photos, new bikes), the rides under way (end an
// abandoned one at a station), and the pricing plans (everyone reads them; fleet managers add and change).

import { api, getSession } from "./api.js";
import { BASE, describePlan, fillStations, listAll } from "./bikes-common.js";
import { PagedTable } from "./paged-table.js";
import { $, actionButton, answer, busy, formValues, h, options, when } from "./ui.js";

const STATUS_WORDS = { available: "available", rented: "out on a ride", maintenance: "in repair" };

function parseSegments(text) {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [start, rate, interval, end] = line.split(",").map((part) => part.trim());
      const segment = { start: Number(start), rate, interval: Number(interval) };
      if (end) segment.end = Number(end);
      return segment;
    });
}

export function setUp({ fleet }) {
  const sections = {};

  // --- plans: read by everyone ---------------------------------------------------------------------------
  const plans = new PagedTable($('[data-table="plans"]'), {
    path: `${BASE}/pricing-plans/`,
    empty: "No pricing plan yet.",
    row: (plan) =>
      h(
        "tr",
        {},
        h("td", {}, h("strong", {}, plan.name), plan.is_default ? h("span", { class: "tag yes" }, "default") : null),
        h("td", {}, describePlan(plan)),
        h(
          "td",
          { class: "actions" },
          fleet && !plan.is_default
            ? actionButton("Make default", () => planChange(plan, "PATCH", { is_default: true }, `${plan.name} is the default plan.`), {
                "aria-label": `Make ${plan.name} the default plan`,
              })
            : null,
          fleet && !plan.is_default
            ? actionButton("Remove", () => planChange(plan, "DELETE", undefined, `${plan.name} withdrawn.`), {
                class: "small danger",
                "aria-label": `Remove ${plan.name}`,
              })
            : null,
        ),
      ),
  });
  async function planChange(plan, method, body, success) {
    const result = await api(method, `${BASE}/pricing-plans/${plan.id}/`, body);
    if (result.ok) {
      plans.announce(result, success);
      await plans.reload();
    } else {
      plans.note(plan.id, result);
      plans.updateRow(plan);
    }
  }
  $("#plan-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(event.target);
    const body = {
      name: values.name,
      currency: values.currency,
      price: values.price || "0",
      per_min_pricing: parseSegments(values.segments || ""),
      is_default: values.is_default === "true",
    };
    if (values.cap_price || values.cap_duration) body.fare_cap = { price: values.cap_price, duration: Number(values.cap_duration) };
    const button = $("#plan-save");
    const result = await busy(button, () => api("POST", `${BASE}/pricing-plans/`, body));
    answer(button, result, `${values.name} added: ${result.ok ? describePlan(result.data) : ""}`);
    if (result.ok) {
      event.target.reset();
      await plans.reload();
    }
  });
  sections.plans = { load: () => plans.load() };
  if (!fleet) return sections;

  // --- bikes ---------------------------------------------------------------------------------------------------
  const bikes = new PagedTable($('[data-table="fleet"]'), {
    path: `${BASE}/bikes/`,
    empty: "No bike matches.",
    row: (bike) =>
      h(
        "tr",
        {},
        h("td", {}, h("strong", {}, bike.serial), h("span", { class: "muted" }, ` · ${bike.vehicle_type.name}`)),
        h("td", {}, h("span", { class: `tag ${bike.status === "maintenance" ? "no" : bike.status === "available" ? "yes" : ""}` }, STATUS_WORDS[bike.status])),
        h("td", {}, bike.station ? bike.station.name : "—"),
        h("td", { class: "optional" }, bike.photo ? h("a", { href: bike.photo, target: "_blank", rel: "noopener" }, "photo") : "—"),
        h(
          "td",
          { class: "actions" },
          bike.status === "available"
            ? actionButton("To repair", () => bikeAction(bike, "maintenance", `${bike.serial} is in repair.`), { "aria-label": `Send ${bike.serial} to repair` })
            : null,
          bike.status === "maintenance"
            ? actionButton("Back in service", () => bikeAction(bike, "release", `${bike.serial} is back in service.`), { "aria-label": `Put ${bike.serial} back in service` })
            : null,
          photoUpload(bike),
        ),
      ),
  });
  async function bikeAction(bike, action, success) {
    const result = await api("POST", `${BASE}/bikes/${bike.id}/${action}/`, {});
    bikes.note(bike.id, result, success);
    bikes.updateRow(result.ok ? result.data : bike);
  }
  function photoUpload(bike) {
    const input = h("input", { type: "file", accept: "image/jpeg,image/png,image/webp", "aria-label": `Photo of ${bike.serial}`, class: "visually-hidden-file" });
    const button = h("label", { class: "button small secondary file-button" }, "Photo", input);
    input.addEventListener("change", async () => {
      if (!input.files.length) return;
      const form = new FormData();
      form.append("photo", input.files[0]);
      const response = await fetch(`${BASE}/bikes/${bike.id}/photo/`, {
        method: "POST",
        headers: { Authorization: `Bearer ${getSession()?.access}`, Accept: "application/json" },
        body: form,
      });
      const data = await response.json().catch(() => ({}));
      const result = { ok: response.ok, status: response.status, data, method: "POST", path: `${BASE}/bikes/${bike.id}/photo/` };
      bikes.note(bike.id, result, `Photo of ${bike.serial} saved.`);
      bikes.updateRow(result.ok ? data : bike);
    });
    return button;
  }
  $("#bike-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(event.target);
    const button = $("#bike-save");
    const body = { serial: values.serial, vehicle_type: Number(values.vehicle_type), station: Number(values.station) };
    const result = await busy(button, () => api("POST", `${BASE}/bikes/`, body));
    answer(button, result, `${values.serial} is in its dock, ready to rent.`);
    if (result.ok) {
      event.target.reset();
      await bikes.reload();
    }
  });
  async function loadBikes() {
    const [types] = await Promise.all([listAll("vehicle-types/"), fillStations($("#bike-station"), { filter: (s) => s.docks_available > 0 }), bikes.load()]);
    options($("#bike-type"), types, { label: (type) => `${type.name} (${type.propulsion.replace("_", " ")})` });
  }
  sections.fleet = { load: loadBikes, onEvent: (type) => type === "bike.updated" && bikes.reload() };

  // --- rides under way ---------------------------------------------------------------------------------------
  let returnable = [];
  const underway = new PagedTable($('[data-table="underway"]'), {
    path: `${BASE}/rentals/`,
    fixed: { status: "active" },
    empty: "Nobody is riding.",
    row: (ride) => {
      const station = h("select", { "aria-label": `Dock ${ride.bike.serial} at` });
      options(station, returnable, { label: (s) => `${s.name} (${s.docks_available} free)` });
      return h(
        "tr",
        {},
        h("td", {}, `rider #${ride.rider}`),
        h("td", {}, ride.bike.serial),
        h("td", {}, when(ride.started_at)),
        h("td", {}, ride.start_station.name),
        h(
          "td",
          { class: "actions" },
          station,
          actionButton("End here", () => endRide(ride, Number(station.value)), { "aria-label": `End the ride on ${ride.bike.serial}` }),
        ),
      );
    },
  });
  async function endRide(ride, station) {
    const result = await api("POST", `${BASE}/rentals/${ride.id}/finish/`, { station });
    if (result.ok) {
      underway.announce(result, `The ride on ${ride.bike.serial} is ended; the bike is docked.`);
      await underway.reload();
    } else {
      underway.note(ride.id, result);
      underway.updateRow(ride);
    }
  }
  async function loadUnderway() {
    returnable = (await listAll("stations/")).filter((s) => s.is_returning && s.docks_available > 0);
    await underway.load();
  }
  sections["under-way"] = { load: loadUnderway, onEvent: (type) => type.startsWith("rental.") && loadUnderway() };
  return sections;
}
