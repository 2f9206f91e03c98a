// Small reads the bike pages share: stations and plans for the selects, and money and time in words.

import { api, query } from "./api.js";
import { options, report } from "./ui.js";

export const BASE = "/api/bikes";

export async function listAll(path, params = {}) {
  const result = await api("GET", `${BASE}/${path}${query({ page_size: 100, ...params })}`);
  if (!result.ok) {
    report(result);
    return [];
  }
  return result.data.results || [];
}

export async function fillStations(select, { blank = null, filter = () => true, label } = {}) {
  const stations = (await listAll("stations/")).filter(filter);
  options(select, stations, {
    label: label || ((station) => `${station.name} (${station.bikes_available} bikes, ${station.docks_available} free docks)`),
    blank,
  });
  return stations;
}

export function money(amount, currency) {
  return amount === null || amount === undefined ? "—" : `${amount} ${currency}`;
}

export function duration(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

// "2.00 to unlock, then 0.50 a minute, at most 15.00 per 12 h" from a plan's GBFS terms.
export function describePlan(plan) {
  const parts = [`${plan.price} ${plan.currency} to unlock`];
  for (const segment of plan.per_min_pricing || []) {
    const rate = `${Number(segment.rate)} ${plan.currency}`;
    const until = segment.end ? ` until minute ${segment.end}` : "";
    parts.push(
      segment.interval === 0
        ? `${rate} once at minute ${segment.start}`
        : `${rate} every ${segment.interval === 1 ? "minute" : `${segment.interval} minutes`} from minute ${segment.start}${until}`,
    );
  }
  if (plan.fare_cap) parts.push(`at most ${plan.fare_cap.price} ${plan.currency} per ${plan.fare_cap.duration} minutes`);
  return parts.join("; ");
}
