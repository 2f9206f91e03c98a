// The audit trail for staff: GET /api/audit/ with its filters in the URL, newest first,
// cursor-paged ("Older" / "Newer"). The object and request cells filter the list to that
// object's history or that request's entries.

import { entryRow } from "./audit-entries.js";
import { PagedTable } from "./paged-table.js";
import { isStaff, loadProfile } from "./roles.js";
import { $, requireSignIn } from "./ui.js";

// datetime-local gives the browser's local time without a zone; the API wants ISO 8601.
function toQuery(filters) {
  const out = { ...filters };
  for (const key of ["since", "until"]) if (out[key]) out[key] = new Date(out[key]).toISOString();
  return out;
}

async function start() {
  const user = await loadProfile();
  const root = $('[data-table="audit"]');
  if (!isStaff(user)) {
    const refused = $("#audit-refused");
    refused.hidden = false;
    refused.textContent = "Only staff may read the audit trail.";
    root.hidden = true;
    document.body.dataset.ready = "true";
    return;
  }
  const table = new PagedTable(root, {
    path: "/api/audit/",
    cursor: true,
    toQuery,
    empty: "No entries match.",
    row: (entry) =>
      entryRow(entry, {
        onObject: (ref) => {
          table.setFilter("object", ref);
          table.load();
        },
        onRequest: (id) => {
          table.setFilter("request_id", id);
          table.load();
        },
      }),
  });
  await table.load();
  document.body.dataset.ready = "true";
}

if (requireSignIn()) await start();
