// Progressive enhancements shared by every page. Pages work without this file.

// Close the account menu when the reader clicks elsewhere or presses Escape,
// as a native menu would.
for (const menu of document.querySelectorAll("details.account-menu")) {
  document.addEventListener("click", (event) => {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
}

// Select a one-time secret (token, invitation link) in one click, ready to copy.
for (const secret of document.querySelectorAll("code.token")) {
  secret.tabIndex = 0;
  secret.addEventListener("focus", () => {
    const range = document.createRange();
    range.selectNodeContents(secret);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  });
}

// A reply that starts with a quote is typed after the quote, not before it.
for (const area of document.querySelectorAll("textarea[data-caret-end]")) {
  const end = () => area.setSelectionRange(area.value.length, area.value.length);
  area.addEventListener("focus", end, { once: true });
  if (document.activeElement === area) end();
}

// Sign-up forms send the browser's time zone, so that times are shown on the
// person's own clock from the start (they can change it on their account page).
for (const input of document.querySelectorAll("input[data-time-zone-guess]")) {
  if (input.value === "") input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
}

// The time zone field of the account page offers every zone this browser knows.
for (const list of document.querySelectorAll("datalist[data-time-zones]")) {
  const have = new Set([...list.options].map((o) => o.value));
  const all = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  list.append(...all.filter((z) => !have.has(z)).map((z) => Object.assign(document.createElement("option"), { value: z })));
}
