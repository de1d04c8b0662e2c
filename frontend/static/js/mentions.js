// Suggestions after "@" in the post editor (templates/layout/editor.html):
// people who may read the thread, from GET /api/v1/mention-suggestions,
// which shows only what the thread's attribution lets the writer see.
//
// The text box keeps the focus throughout, as in GitHub's and Discourse's
// editors: it points at the highlighted option with aria-activedescendant
// and names the list with aria-controls. (A textarea may not take the
// combobox role, so it stays a text box with aria-autocomplete="list";
// a status line says how many people were found.) Up and Down move, Enter
// or Tab choose, Escape closes; a click or a tap chooses too. Without
// JavaScript one types the handle whole, and it is linked all the same.

const WAIT_MS = 150; // typing pauses this long before asking the server
const TOKEN = /(^|[\s([{"'>])@([\p{L}\p{N}._-]{0,50})$/u;

for (const root of document.querySelectorAll("[data-editor][data-mentions]")) {
  const area = root.querySelector("textarea");
  if (area) setUp(root, area);
}

function setUp(root, area) {
  const d = root.dataset;
  const list = document.createElement("ul");
  list.id = `${area.id}-mentions`;
  list.className = "mention-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", d.mentionsLabel);
  list.hidden = true;
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  const box = area.parentElement;
  box.classList.add("mention-host");
  box.append(list, status);
  area.setAttribute("aria-autocomplete", "list");
  area.setAttribute("aria-controls", list.id);

  const cache = new Map();
  let options = []; // [{handle, el}]
  let active = -1;
  let token = null; // {start, end, text} of the "@…" being typed
  let dismissed = null; // the token Escape closed, not reopened until it changes
  let timer = 0;
  let asking = null;

  const close = () => {
    list.hidden = true;
    list.replaceChildren();
    options = [];
    active = -1;
    area.removeAttribute("aria-activedescendant");
  };

  const highlight = (i) => {
    if (options.length === 0) return;
    active = (i + options.length) % options.length;
    options.forEach((o, j) => o.el.setAttribute("aria-selected", String(j === active)));
    area.setAttribute("aria-activedescendant", options[active].el.id);
    options[active].el.scrollIntoView({ block: "nearest" });
  };

  const choose = (i) => {
    const o = options[i];
    const t = token;
    if (!o || !t) return;
    const text = `@${o.handle} `;
    // Writing fires "input", which looks for a token again and finds none.
    insert(area, t.start, t.end, text);
    area.setSelectionRange(t.start + text.length, t.start + text.length);
    token = null;
    close();
    area.focus();
  };

  const show = (people) => {
    list.replaceChildren();
    options = people.map((p, i) => {
      const el = document.createElement("li");
      el.id = `${list.id}-${i}`;
      el.setAttribute("role", "option");
      el.setAttribute("aria-selected", "false");
      const handle = document.createElement("span");
      handle.className = "mention-handle";
      handle.textContent = `@${p.handle}`;
      el.append(handle);
      const about = [p.name, p.organisation].filter(Boolean).join(" · ");
      if (about) {
        const who = document.createElement("span");
        who.className = "mention-who";
        who.textContent = about;
        el.append(" ", who);
      }
      if (p.in_thread) {
        const here = document.createElement("span");
        here.className = "mention-here";
        here.textContent = d.mentionsInThread;
        el.append(" ", here);
      }
      // The text box keeps the focus (and the caret its place) when an option is pressed.
      el.addEventListener("mousedown", (event) => event.preventDefault());
      el.addEventListener("click", () => choose(i));
      list.append(el);
      return { handle: p.handle, el };
    });
    if (options.length === 0) {
      close();
      status.textContent = d.mentionsNone.replace("{text}", token ? token.text : "");
      return;
    }
    list.hidden = false;
    highlight(0);
    status.textContent = d.mentionsResults.replace("{n}", String(options.length));
  };

  const ask = async (t) => {
    const params = new URLSearchParams({ q: t.text });
    if (d.mentionsThread) params.set("thread", d.mentionsThread);
    else {
      const mode = area.form && area.form.elements.attribution;
      if (mode && mode.value) params.set("attribution", mode.value);
    }
    const key = params.toString();
    if (cache.has(key)) return cache.get(key);
    if (asking) asking.abort();
    asking = new AbortController();
    try {
      const response = await fetch(`/api/v1/mention-suggestions?${key}`, {
        credentials: "same-origin", headers: { Accept: "application/json" }, signal: asking.signal,
      });
      // Too many look-ups, or signed out meanwhile: no list, the text box works on.
      if (!response.ok) return null;
      const data = await response.json();
      const people = Array.isArray(data.suggestions) ? data.suggestions : [];
      cache.set(key, people);
      return people;
    } catch {
      return null;
    }
  };

  const update = () => {
    clearTimeout(timer);
    const caret = area.selectionStart;
    const m = area.selectionStart === area.selectionEnd ? TOKEN.exec(area.value.slice(0, caret)) : null;
    if (!m) {
      token = null;
      dismissed = null;
      close();
      return;
    }
    const t = { start: caret - m[2].length - 1, end: caret, text: m[2] };
    token = t;
    if (dismissed && dismissed.start === t.start && dismissed.text === t.text) return;
    dismissed = null;
    timer = setTimeout(async () => {
      const people = await ask(t);
      // Only the answer for what is still being typed is shown.
      if (people === null || !token || token.start !== t.start || token.text !== t.text) return;
      show(people);
    }, WAIT_MS);
  };

  area.addEventListener("input", update);
  area.addEventListener("click", update);
  area.addEventListener("keyup", (event) => {
    if (event.key === "ArrowLeft" || event.key === "ArrowRight" || event.key === "Home" || event.key === "End") update();
  });
  area.addEventListener("blur", () => {
    clearTimeout(timer);
    close();
  });
  area.addEventListener("keydown", (event) => {
    if (list.hidden || options.length === 0 || event.altKey || event.ctrlKey || event.metaKey) return;
    switch (event.key) {
      case "ArrowDown":
        highlight(active + 1);
        break;
      case "ArrowUp":
        highlight(active - 1);
        break;
      case "Enter":
      case "Tab":
        if (event.shiftKey) return;
        choose(active);
        break;
      case "Escape":
        dismissed = token;
        close();
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  });
}

// insert writes text over start–end the way editor.js does, keeping the
// browser's undo history where it can, and tells the draft keeper.
function insert(area, start, end, text) {
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
