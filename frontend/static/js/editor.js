// The post editor (templates/layout/editor.html): a Write | Preview tab pair
// whose preview the server renders as it would render the post, a toolbar
// that writes Markdown, and a draft kept in this browser so that a reload, a
// closed tab or a lost connection loses nothing. The form works without it.

const SENT_COOKIE = "ideasx_sent";
const PENDING = "ideasx:draft-pending";

settleSent();
for (const root of document.querySelectorAll("[data-editor]")) {
  const area = root.querySelector("textarea");
  if (area) setUp(root, area);
}

function setUp(root, area) {
  const form = area.form;
  root.querySelector(".editor-bar").hidden = false;
  // The Preview tab does what the no-JavaScript button does, without leaving the page.
  for (const b of form.querySelectorAll(".preview-button")) b.hidden = true;
  tabs(root, area);
  toolbar(root, area);
  const draft = drafts(root, area);
  guardLeaving(form, area, draft);
}

// --- Write | Preview -------------------------------------------------------

function tabs(root, area) {
  const [write, preview] = root.querySelectorAll('[role="tab"]');
  const writePanel = root.querySelector(".editor-write");
  const previewPanel = root.querySelector(".editor-preview");
  const toolbarEl = root.querySelector('[role="toolbar"]');
  for (const [tab, panel] of [[write, writePanel], [preview, previewPanel]]) {
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", tab.id);
  }
  previewPanel.tabIndex = 0;
  let asked = 0;

  const select = async (tab, focus) => {
    const showPreview = tab === preview;
    // The same height as the text box, so that the page does not jump (measured while it shows).
    if (showPreview && !writePanel.hidden) previewPanel.style.minHeight = `${area.offsetHeight}px`;
    write.setAttribute("aria-selected", String(!showPreview));
    preview.setAttribute("aria-selected", String(showPreview));
    write.tabIndex = showPreview ? -1 : 0;
    preview.tabIndex = showPreview ? 0 : -1;
    writePanel.hidden = showPreview;
    previewPanel.hidden = !showPreview;
    // Formatting a text one cannot see would be a surprise.
    for (const b of toolbarEl.querySelectorAll("button")) b.disabled = showPreview;
    if (focus) tab.focus();
    if (!showPreview) return;
    const mine = ++asked;
    const text = area.value.trim();
    if (text === "") {
      message(previewPanel, root.dataset.empty);
      return;
    }
    message(previewPanel, root.dataset.loading);
    previewPanel.setAttribute("aria-busy", "true");
    const html = await render(text, root.dataset.failed);
    if (mine !== asked) return; // another click came since
    previewPanel.removeAttribute("aria-busy");
    if (html.error) message(previewPanel, html.error, "field-error");
    else previewPanel.innerHTML = html.ok || `<p class="muted">${escapeHTML(root.dataset.empty)}</p>`;
  };

  for (const tab of [write, preview]) {
    tab.addEventListener("click", () => select(tab, false));
    tab.addEventListener("keydown", (event) => {
      const other = tab === write ? preview : write;
      const to = { ArrowLeft: other, ArrowRight: other, Home: write, End: preview }[event.key];
      if (!to) return;
      event.preventDefault();
      select(to, true);
    });
  }
}

// render asks the server for the post's HTML: the same renderer as posts
// (links, @mentions, sanitising). It answers {ok} or {error} with a message.
async function render(body, failed) {
  try {
    const response = await fetch("/api/v1/preview", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ body }),
    });
    const data = await response.json().catch(() => null);
    if (response.ok && data && typeof data.html === "string") return { ok: data.html };
    const err = data && data.error;
    return { error: (err && ((err.fields && err.fields.body) || err.message)) || failed };
  } catch {
    return { error: failed };
  }
}

function message(panel, text, cls = "muted") {
  panel.replaceChildren();
  const p = document.createElement("p");
  p.className = cls;
  p.textContent = text;
  panel.append(p);
}

function escapeHTML(s) {
  const d = document.createElement("div");
  d.textContent = s;
  return d.innerHTML;
}

// --- Formatting toolbar ----------------------------------------------------

function toolbar(root, area) {
  const bar = root.querySelector('[role="toolbar"]');
  const buttons = [...bar.querySelectorAll("button")];
  const mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
  for (const b of buttons) {
    if (mac) b.title = b.title.replace("Ctrl+", "⌘");
    // A mouse click would take the focus, and the selection's place, from the text box.
    b.addEventListener("mousedown", (event) => event.preventDefault());
    b.addEventListener("click", () => format(area, b.dataset.format, b.dataset.placeholder));
  }
  // Roving tabindex: Tab reaches the toolbar once, the arrows move inside it.
  bar.addEventListener("keydown", (event) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    const n = buttons.length;
    const to = { ArrowRight: (i + 1) % n, ArrowLeft: (i - 1 + n) % n, Home: 0, End: n - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    buttons[i].tabIndex = -1;
    buttons[to].tabIndex = 0;
    buttons[to].focus();
  });
  area.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    const what = { b: "bold", i: "italic" }[event.key.toLowerCase()];
    if (!what) return;
    event.preventDefault();
    format(area, what);
  });
}

// format writes Markdown around the selection, or at the caret with the
// caret left where the person types next.
function format(area, what, placeholder = "") {
  const { selectionStart: start, selectionEnd: end, value } = area;
  const selected = value.slice(start, end);
  area.focus();
  if (what === "bold" || what === "italic") {
    const mark = what === "bold" ? "**" : "_";
    // Spaces stay outside the marks: "** word**" is no bold in Markdown.
    const lead = selected.length - selected.trimStart().length;
    const trail = selected.length - selected.trimEnd().length;
    const inner = selected.trim();
    const from = start + lead;
    replace(area, from, end - trail, mark + inner + mark);
    area.setSelectionRange(from + mark.length, from + mark.length + inner.length);
  } else if (what === "link") {
    const text = selected || placeholder;
    const url = /^https?:\/\/\S+$/.test(selected) ? selected : "https://";
    const label = url === selected ? placeholder : text;
    replace(area, start, end, `[${label}](${url})`);
    // Leave selected what is left to type: the address, or the text of a link made from an address.
    if (url === selected) area.setSelectionRange(start + 1, start + 1 + label.length);
    else area.setSelectionRange(start + label.length + 3, start + label.length + 3 + url.length);
  } else if (what === "list" || what === "quote") {
    const prefix = what === "list" ? "- " : "> ";
    const lineStart = value.lastIndexOf("\n", start - 1) + 1;
    let lineEnd = value.indexOf("\n", end > start && value[end - 1] === "\n" ? end - 1 : end);
    if (lineEnd < 0) lineEnd = value.length;
    const lines = value.slice(lineStart, lineEnd).split("\n");
    const all = lines.every((l) => l.startsWith(prefix) || l.trim() === "");
    const out = lines.map((l) => (all ? (l.startsWith(prefix) ? l.slice(prefix.length) : l) : l.trim() === "" && lines.length > 1 ? l : prefix + l)).join("\n");
    // A list or a quote needs a blank line before it to start a block.
    const before = lineStart > 1 && value[lineStart - 2] !== "\n" && !all ? "\n" : "";
    replace(area, lineStart, lineEnd, before + out);
    area.setSelectionRange(lineStart + before.length, lineStart + before.length + out.length);
  }
}

// replace keeps the browser's undo history where it can (execCommand is the
// only way that does), and falls back to setRangeText.
function replace(area, start, end, text) {
  area.setSelectionRange(start, end);
  let done = false;
  try {
    done = document.execCommand("insertText", false, text);
  } catch {
    done = false;
  }
  if (!done || area.value.slice(start, start + text.length) !== text) {
    area.setRangeText(text, start, end, "end");
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }
}

// --- Drafts ----------------------------------------------------------------

// drafts keeps the text in localStorage under a key with the person's id and
// the thread (or the theme of a new thread), so that a shared computer shows
// nobody another person's draft; signing out clears it all (Clear-Site-Data).
// It returns whether the text differs from what the page came with.
function drafts(root, area) {
  const key = root.dataset.draft;
  const form = area.form;
  const initial = area.value;
  // A new thread's title and tags are kept with its text.
  const fields = [...form.elements].filter((el) => el.name && el.tagName === "INPUT" && el.type === "text");
  const state = { changed: () => area.value !== initial };
  if (!key) return state;

  const status = root.querySelector(".editor-status");
  let saved = null;
  try {
    saved = JSON.parse(localStorage.getItem(key) || "null");
  } catch {
    saved = null;
  }
  // What the server sent back (a refused post, a quote to reply to) is newer than a draft.
  if (saved && saved.body && area.value.trim() === "") {
    area.value = saved.body;
    for (const el of fields) if (saved.fields && saved.fields[el.name] && el.value === "") el.value = saved.fields[el.name];
    status.querySelector("span").textContent = root.dataset.restored;
    status.hidden = false;
    status.querySelector("button").addEventListener("click", () => {
      localStorage.removeItem(key);
      area.value = initial;
      for (const el of fields) if (saved.fields && el.value === saved.fields[el.name]) el.value = "";
      status.hidden = true;
      area.focus();
    });
  }

  let timer = 0;
  const save = () => {
    clearTimeout(timer);
    timer = 0;
    try {
      if (area.value.trim() === "") localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify({ body: area.value, fields: Object.fromEntries(fields.map((el) => [el.name, el.value])), at: Date.now() }));
    } catch {
      // Storage full or refused (private mode): the text is still on the page.
    }
  };
  // Saved a moment after typing stops, and at once when the page goes away.
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 400);
  };
  area.addEventListener("input", later);
  for (const el of fields) el.addEventListener("input", later);
  window.addEventListener("pagehide", () => timer && save());
  document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && timer && save());
  form.addEventListener("submit", (event) => {
    save();
    // Forgotten only once the server says it was saved (settleSent on the next page).
    if (!event.submitter || event.submitter.name !== "preview") sessionStorage.setItem(PENDING, key);
  });
  return state;
}

// settleSent forgets the draft this tab last sent if the server set its
// "sent" cookie on the way to this page; a refused post or a lost
// connection brings no cookie, and the draft stays.
function settleSent() {
  const pending = sessionStorage.getItem(PENDING);
  if (!pending) return;
  sessionStorage.removeItem(PENDING);
  const sent = document.cookie.split("; ").includes(`${SENT_COOKIE}=1`);
  if (!sent) return;
  document.cookie = `${SENT_COOKIE}=; Max-Age=0; Path=/; SameSite=Lax`;
  localStorage.removeItem(pending);
}

// guardLeaving asks before a page with unsent text goes away, but not once
// the form was sent.
function guardLeaving(form, area, draft) {
  let sending = false;
  form.addEventListener("submit", () => {
    sending = true;
  });
  // A page that came back from the cache (Back after sending) may be left again.
  window.addEventListener("pageshow", () => {
    sending = false;
  });
  window.addEventListener("beforeunload", (event) => {
    if (sending || !draft.changed() || area.value.trim() === "") return;
    event.preventDefault();
    event.returnValue = "";
  });
}
