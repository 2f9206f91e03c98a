// Stations: a paged table and a map drawn in the page from their latitude and longitude (no tile
// server, no CDN: an SVG plot, each station a focusable, labelled circle). Fleet managers add stations.

import { api } from "./api.js";
import { BASE, listAll } from "./bikes-common.js";
import { PagedTable } from "./paged-table.js";
import { $, answer, busy, formValues, h } from "./ui.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  node.append(...children);
  return node;
}

// Plot the stations in the SVG's 400 x 300 box, keeping the map's proportions (longitude shrinks with latitude).
export function drawMap(map, stations, { onPick } = {}) {
  map.replaceChildren();
  if (!stations.length) return;
  const lats = stations.map((s) => Number(s.lat));
  const lons = stations.map((s) => Number(s.lon));
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const squeeze = Math.cos((midLat * Math.PI) / 180);
  const xs = lons.map((lon) => lon * squeeze);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...lats), Math.max(...lats)];
  const spanX = maxX - minX || 0.01;
  const spanY = maxY - minY || 0.01;
  const scale = Math.min(340 / spanX, 240 / spanY);
  const offsetX = (400 - spanX * scale) / 2;
  const offsetY = (300 - spanY * scale) / 2;
  map.append(svg("rect", { x: 0, y: 0, width: 400, height: 300, class: "map-ground" }));
  stations.forEach((station, index) => {
    const cx = offsetX + (xs[index] - minX) * scale;
    const cy = 300 - (offsetY + (lats[index] - minY) * scale);
    const open = station.is_renting && station.is_installed;
    const label = `${station.name}: ${station.bikes_available} bikes, ${station.docks_available} free docks${open ? "" : ", not renting"}`;
    const marker = svg(
      "g",
      { class: `map-station${open ? "" : " closed"}`, tabindex: 0, role: "button", "aria-label": label, "data-station-id": station.id },
      svg("title", {}, label),
      svg("circle", { cx, cy, r: 6 + Math.min(station.bikes_available, 12) }),
      svg("text", { x: cx, y: cy + 4, "text-anchor": "middle" }, String(station.bikes_available)),
    );
    const pick = () => onPick?.(station);
    marker.addEventListener("click", pick);
    marker.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        pick();
      }
    });
    map.append(marker);
  });
}

export function setUp() {
  const table = new PagedTable($('[data-table="stations"]'), {
    path: `${BASE}/stations/`,
    empty: "No station matches.",
    row: (station) =>
      h(
        "tr",
        {},
        h("td", {}, h("strong", {}, station.name), station.address ? h("span", { class: "muted" }, ` · ${station.address}`) : null),
        h("td", {}, String(station.bikes_available), station.bikes_disabled ? h("span", { class: "muted" }, ` (+${station.bikes_disabled} in repair)`) : null),
        h("td", {}, String(station.docks_available)),
        h(
          "td",
          { class: "actions" },
          station.is_renting ? null : h("span", { class: "tag no" }, "not renting"),
          station.is_returning ? null : h("span", { class: "tag no" }, "not taking bikes back"),
        ),
      ),
  });

  async function load() {
    const [, stations] = await Promise.all([table.load(), listAll("stations/")]);
    drawMap($("#station-map"), stations, {
      onPick(station) {
        table.setFilter("search", station.name);
        table.load();
      },
    });
  }

  $("#station-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(event.target);
    const button = $("#station-save");
    const body = { ...values, capacity: Number(values.capacity) };
    const result = await busy(button, () => api("POST", `${BASE}/stations/`, body));
    answer(button, result, `${values.name} added with ${values.capacity} docks.`);
    if (result.ok) {
      event.target.reset();
      await load();
    }
  });

  return {
    stations: {
      load,
      onEvent: (type) => (type.startsWith("rental.") || type === "bike.updated") && load(),
    },
  };
}
