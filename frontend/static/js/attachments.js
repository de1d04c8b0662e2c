// Files of a post (templates/layout/attachments.html): files dropped on the
// text box, or images pasted into it, join the form's own file input, so the
// post is sent as without JavaScript (one multipart form, the server checks
// everything) and nothing is stored before the person sends it. A list under
// the input names the chosen files, each with a button to take it out.
// Files cannot be kept with the text's draft (localStorage holds text):
// after a reload they are chosen again.

for (const input of document.querySelectorAll("input[type=file][data-attachments]")) setUp(input);

function setUp(input) {
  if (typeof DataTransfer !== "function") return;
  const form = input.form;
  const area = form.querySelector("textarea[name=body]");
  const list = document.createElement("ul");
  list.className = "attachment-list attachment-chosen";
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  input.after(list, status);

  const render = () => {
    list.replaceChildren();
    [...input.files].forEach((file, i) => {
      const li = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = file.name;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link-button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", input.dataset.remove.replace("{name}", file.name));
      remove.addEventListener("click", () => {
        setFiles(input, [...input.files].filter((_, j) => j !== i));
        render();
        input.focus();
      });
      li.append(name, remove);
      list.append(li);
    });
  };
  const add = (files) => {
    if (files.length === 0) return;
    setFiles(input, [...input.files, ...files]);
    render();
    status.textContent = input.dataset.added.replace("{names}", files.map((f) => f.name).join(", "));
  };
  input.addEventListener("change", render);

  if (!area) return;
  area.addEventListener("dragover", (event) => {
    if (![...event.dataTransfer.types].includes("Files")) return;
    event.preventDefault();
    area.classList.add("drop-target");
  });
  area.addEventListener("dragleave", () => area.classList.remove("drop-target"));
  area.addEventListener("drop", (event) => {
    area.classList.remove("drop-target");
    if (event.dataTransfer.files.length === 0) return;
    event.preventDefault();
    add([...event.dataTransfer.files]);
  });
  area.addEventListener("paste", (event) => {
    const images = [...(event.clipboardData?.files || [])].filter((f) => f.type.startsWith("image/"));
    if (images.length === 0) return;
    event.preventDefault();
    // Every pasted image is called "image.png": give each its own name.
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "");
    add(images.map((f, i) => new File([f], `pasted-${stamp}${i ? "-" + i : ""}.${f.type === "image/jpeg" ? "jpg" : "png"}`, { type: f.type })));
  });
}

function setFiles(input, files) {
  const dt = new DataTransfer();
  for (const f of files) dt.items.add(f);
  input.files = dt.files;
}
