// The car market page. Everyone browses cars in stock, makes and cancels offers, sees their
// purchases and balance, and is told live when an offer is fulfilled; dealer staff get their
// dealership (stock, what it buys, promotions, sales, figures as charts); the market's staff
// get suppliers and prices, a "run trading now" button and the market's charts.

import { api } from "./api.js";
import { PagedTable } from "./paged-table.js";
import { hasRole, isStaff, loadProfile, showFor } from "./roles.js";
import { setUpTabs } from "./tabs.js";
import { $, actionButton, answer, busy, formValues, h, requireSignIn, toast, when } from "./ui.js";

const BASE = "/api/dealership";
const SVG = "http://www.w3.org/2000/svg";

const carName = (car) => `${car.make} ${car.model} ${car.year}`;
const usd = (amount) => (amount === null || amount === undefined ? "—" : `${amount} USD`);
const day = (iso) => (iso ? iso.slice(0, 10) : "—");

function wants(offer) {
  if (offer.car_model) return carName(offer.car_model);
  const c = offer.criteria || {};
  return [c.makes?.join(" or "), c.body_types?.join(" or "), c.fuels?.join(" or ")].filter(Boolean).join(", ") || "any car";
}

// A bar chart: rows of {label, values: [dark, light]} drawn into an <svg viewBox="0 0 400 200">.
function barChart(svg, rows) {
  svg.replaceChildren();
  const node = (tag, attrs, text) => {
    const element = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
    if (text !== undefined) element.textContent = text;
    svg.append(element);
    return element;
  };
  if (!rows.length) {
    node("text", { x: 200, y: 100, "text-anchor": "middle" }, "No sales in this period yet.");
    return;
  }
  const top = Math.max(1, ...rows.flatMap((row) => row.values.map((v) => Math.max(0, Number(v)))));
  const width = 380 / rows.length;
  rows.forEach((row, index) => {
    row.values.forEach((value, series) => {
      const height = (Math.max(0, Number(value)) / top) * 160;
      const x = 10 + index * width + (series * width) / 2.2;
      const bar = node("rect", { x, y: 175 - height, width: width / 2.4, height, class: series ? "bar light" : "bar" });
      bar.append(Object.assign(document.createElementNS(SVG, "title"), { textContent: `${row.label}: ${value} USD` }));
    });
    node("text", { x: 10 + index * width, y: 190 }, row.label.slice(0, 10));
  });
}

function setUpBuyer() {
  const stock = new PagedTable($('[data-table="stock"]'), {
    path: `${BASE}/stock/`,
    fixed: { in_stock: "true" },
    empty: "No car in stock matches.",
    row: (item) =>
      h(
        "tr",
        {},
        h("td", {}, h("strong", {}, carName(item.car_model)), h("span", { class: "muted" }, ` · ${item.car_model.body_type}, ${item.car_model.fuel}`)),
        h("td", {}, `${item.dealership_name} (${item.country.code})`),
        h("td", {}, usd(item.price)),
        h("td", {}, String(item.quantity)),
        h(
          "td",
          { class: "actions" },
          actionButton("Offer this price", () => offerFor(item), { "aria-label": `Offer ${item.price} USD for a ${carName(item.car_model)}` }),
        ),
      ),
  });
  async function offerFor(item) {
    const result = await api("POST", `${BASE}/offers/`, { car_model: item.car_model.id, max_price: item.price });
    stock.note(item.id, result, `Offer #${result.data?.id} made: the market sells you the cheapest such car within a minute.`);
    stock.updateRow(item);
  }

  const offers = new PagedTable($('[data-table="offers"]'), {
    path: `${BASE}/offers/`,
    empty: "No offer yet.",
    row: (offer) =>
      h(
        "tr",
        {},
        h("td", {}, wants(offer)),
        h("td", {}, usd(offer.max_price)),
        h("td", {}, h("span", { class: `tag ${offer.status === "fulfilled" ? "yes" : offer.status === "cancelled" ? "no" : ""}` }, offer.status)),
        h("td", {}, when(offer.created_at)),
        h(
          "td",
          { class: "actions" },
          offer.status === "active"
            ? actionButton("Cancel", () => cancel(offer), { class: "small danger", "aria-label": `Cancel offer ${offer.id}` })
            : null,
        ),
      ),
  });
  async function cancel(offer) {
    const result = await api("POST", `${BASE}/offers/${offer.id}/cancel/`, {});
    offers.note(offer.id, result, `Offer #${offer.id} cancelled.`);
    offers.updateRow(result.ok ? result.data : offer);
  }
  async function balance() {
    const result = await api("GET", `${BASE}/buyers/me/`);
    $("#balance").textContent = result.ok ? usd(result.data.balance) : "—";
  }
  $("#offer-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(event.target);
    const criteria = {};
    if (values.make) criteria.makes = [values.make];
    if (values.body_type) criteria.body_types = [values.body_type];
    if (values.fuel) criteria.fuels = [values.fuel];
    const button = $("#offer-save");
    const result = await busy(button, () => api("POST", `${BASE}/offers/`, { criteria, max_price: values.max_price }));
    answer(button, result, `Offer #${result.data?.id} made.`);
    if (result.ok) await offers.reload();
  });

  const purchases = new PagedTable($('[data-table="purchases"]'), {
    path: () => `${BASE}/sales/`,
    empty: "You have bought no car yet.",
    row: (sale) =>
      h("tr", {}, h("td", {}, carName(sale.car_model)), h("td", {}, sale.dealership_name), h("td", {}, usd(sale.price)), h("td", {}, when(sale.sold_at))),
  });

  const refreshOnSale = (type) => type === "offer.fulfilled";
  return {
    stock: { load: () => stock.load(), onEvent: (type) => refreshOnSale(type) && stock.reload() },
    offers: {
      load: () => Promise.all([offers.load(), balance()]),
      onEvent: (type) => (refreshOnSale(type) || type === "offer.cancelled") && Promise.all([offers.reload(), balance()]),
    },
    purchases: { load: () => purchases.load(), onEvent: (type) => refreshOnSale(type) && purchases.reload() },
  };
}

function setUpDealer(dealershipId) {
  const mine = { dealership: dealershipId };
  const stock = new PagedTable($('[data-table="mystock"]'), {
    path: `${BASE}/stock/`,
    fixed: mine,
    empty: "Nothing in stock: the restock buys what the preferences want.",
    row: (item) => h("tr", {}, h("td", {}, carName(item.car_model)), h("td", {}, String(item.quantity)), h("td", {}, usd(item.unit_cost)), h("td", {}, usd(item.price))),
  });
  const promotions = new PagedTable($('[data-table="promotions"]'), {
    path: `${BASE}/promotions/`,
    fixed: mine,
    empty: "No promotion.",
    row: (promotion) =>
      h(
        "tr",
        {},
        h("td", {}, promotion.name || `#${promotion.id}`),
        h("td", {}, `${promotion.percent} %`),
        h("td", {}, `${day(promotion.starts_at)} – ${day(promotion.ends_at)}`),
        h(
          "td",
          { class: "actions" },
          actionButton("Remove", () => removePromotion(promotion), { class: "small danger", "aria-label": `Remove promotion ${promotion.name || promotion.id}` }),
        ),
      ),
  });
  async function removePromotion(promotion) {
    const result = await api("DELETE", `${BASE}/promotions/${promotion.id}/`);
    promotions.announce(result, "Promotion removed.");
    await promotions.reload();
  }
  const sales = new PagedTable($('[data-table="dealersales"]'), {
    path: `${BASE}/sales/`,
    fixed: mine,
    empty: "No sale yet.",
    row: (sale) =>
      h("tr", {}, h("td", {}, carName(sale.car_model)), h("td", {}, sale.buyer_email || "—"), h("td", {}, usd(sale.price)), h("td", {}, usd(sale.unit_cost)), h("td", {}, when(sale.sold_at))),
  });
  async function overview() {
    const [dealership, figures] = await Promise.all([
      api("GET", `${BASE}/dealerships/${dealershipId}/`),
      api("GET", `${BASE}/stats/dealerships/${dealershipId}/`),
    ]);
    if (dealership.ok) {
      $("#dealership-name").textContent = dealership.data.name;
      $("#dealership-balance").textContent = usd(dealership.data.balance);
      const form = $("#settings-form");
      form.elements.markup_percent.value = dealership.data.markup_percent;
      form.elements.preferences.value = JSON.stringify(dealership.data.preferences || {}, null, 1);
    }
    if (figures.ok) {
      const f = figures.data;
      $("#dealer-facts").replaceChildren(
        ...[
          ["Cars sold", f.cars_sold],
          ["Revenue", usd(f.revenue)],
          ["Profit", usd(f.profit)],
          ["Unique buyers", f.unique_buyers],
          ["Average price", usd(f.average_sale_price)],
          ["Stock at cost", usd(f.stock.cost_value)],
        ].flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, String(value))]),
      );
      barChart($("#dealer-chart"), f.sales_per_month.map((m) => ({ label: m.month, values: [m.revenue, m.profit] })));
    }
  }
  $("#settings-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(event.target);
    const button = $("#settings-save");
    let preferences;
    try {
      preferences = JSON.parse(values.preferences || "{}");
    } catch {
      answer(button, { ok: false, status: 400, data: { detail: "The preferences are not valid JSON." } });
      return;
    }
    const result = await busy(button, () => api("PATCH", `${BASE}/dealerships/${dealershipId}/`, { markup_percent: values.markup_percent, preferences }));
    answer(button, result, "Saved; prices follow the markup.");
    if (result.ok) await Promise.all([overview(), stock.reload()]);
  });
  $("#promotion-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(event.target);
    const button = $("#promotion-save");
    const body = { dealership: dealershipId, name: values.name, percent: values.percent, starts_at: `${values.starts_at}T00:00:00Z`, ends_at: `${values.ends_at}T00:00:00Z` };
    const result = await busy(button, () => api("POST", `${BASE}/promotions/`, body));
    answer(button, result, `${values.percent} % off from ${values.starts_at}.`);
    if (result.ok) await promotions.reload();
  });
  const touched = (type) => type === "offer.fulfilled" || type === "dealership.restocked";
  return {
    dealership: {
      load: () => Promise.all([overview(), stock.load(), promotions.load(), sales.load()]),
      onEvent: (type) => touched(type) && Promise.all([overview(), stock.reload(), sales.reload()]),
    },
  };
}

function setUpMarket() {
  const suppliers = new PagedTable($('[data-table="suppliers"]'), {
    path: `${BASE}/suppliers/`,
    empty: "No supplier.",
    row: (s) => h("tr", {}, h("td", {}, h("strong", {}, s.name), h("span", { class: "muted" }, ` #${s.id}`)), h("td", {}, s.country.name), h("td", {}, String(s.founded_year))),
  });
  const prices = new PagedTable($('[data-table="prices"]'), {
    path: `${BASE}/supplier-prices/`,
    empty: "No price.",
    row: (p) => h("tr", {}, h("td", {}, p.supplier_name), h("td", {}, carName(p.car_model)), h("td", {}, usd(p.price))),
  });
  async function charts() {
    const result = await api("GET", `${BASE}/stats/overview/`);
    if (!result.ok) return;
    barChart($("#market-chart"), result.data.sales_per_month.map((m) => ({ label: m.month, values: [m.revenue, m.profit] })));
    barChart($("#profit-chart"), result.data.dealerships_by_profit.slice(0, 8).map((d) => ({ label: d.name, values: [d.revenue, d.profit] })));
  }
  $("#run-trading").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const result = await busy(button, () => api("POST", `${BASE}/trading/run/`));
    const bought = result.data?.purchases?.reduce((n, p) => n + p.quantity, 0) ?? 0;
    answer(button, result, `Bought ${bought} car(s) from suppliers, sold ${result.data?.sales?.length ?? 0} to buyers.`);
    if (result.ok) await charts();
  });
  return { market: { load: () => Promise.all([charts(), suppliers.load(), prices.load()]) } };
}

async function start() {
  const user = await loadProfile();
  const main = document.querySelector("main");
  showFor(user, main);
  let sections = setUpBuyer();
  if (hasRole(user, "dealer_staff")) {
    // The dealership whose people include this user (the API shows people to insiders only).
    const dealerships = await api("GET", `${BASE}/dealerships/?page_size=100`);
    const own = (dealerships.data?.results || []).find((d) => (d.staff || []).includes(user.id));
    if (own) sections = { ...sections, ...setUpDealer(own.id) };
    else $('[data-tab="dealership"]').hidden = true;
  }
  if (isStaff(user)) sections = { ...sections, ...setUpMarket() };
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
    const data = event.detail?.data || {};
    // The live notice of a sale, whichever tab is open.
    if (type === "offer.fulfilled") toast(`Offer #${data.offer_id} fulfilled: ${data.price} USD at ${data.dealership_name}.`, "success");
    if (type === "offer.cancelled") toast(`Offer #${data.offer_id} was taken off the market by the market's staff.`);
    for (const name of shown) sections[name]?.onEvent?.(type, event.detail);
  });
  await first;
  document.body.dataset.ready = "true";
}

if (requireSignIn()) await start();
