// Destructive actions ask first. Without this file the server answers such a
// form with a confirmation page (server/confirm.go); with it, the question is
// asked here, in the page's native <dialog>, and the form is then sent with
// confirm=1 so that the server does it at once.
//
// A form opts in with data-confirm (the question), data-confirm-effect (what
// will happen), data-confirm-button (the Confirm button's words) and, when
// useful, data-confirm-subject (what it affects: a name, a title).

const dialog = document.getElementById("confirm-dialog");

if (dialog && typeof dialog.showModal === "function") {
  const title = dialog.querySelector("#confirm-dialog-title");
  const effect = dialog.querySelector("#confirm-dialog-effect");
  const subject = dialog.querySelector("#confirm-dialog-subject");
  const ok = dialog.querySelector("#confirm-dialog-ok");

  // One listener on the document: posts that arrive live carry their own
  // delete forms, made after this script ran.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm || form.dataset.confirming) return;
    event.preventDefault();
    ask(form, event.submitter);
  });

  const ask = (form, submitter) => {
    title.textContent = form.dataset.confirm;
    effect.textContent = form.dataset.confirmEffect || "";
    subject.textContent = form.dataset.confirmSubject || "";
    subject.hidden = !form.dataset.confirmSubject;
    ok.textContent = form.dataset.confirmButton || form.dataset.confirm;
    dialog.returnValue = "";
    dialog.addEventListener("close", () => {
      if (dialog.returnValue !== "confirm") {
        // Escape or Cancel: nothing is sent, and the reader is back on the
        // button they pressed.
        (submitter || form.querySelector("button"))?.focus();
        return;
      }
      const confirm = document.createElement("input");
      confirm.type = "hidden";
      confirm.name = "confirm";
      confirm.value = "1";
      form.append(confirm);
      form.dataset.confirming = "1";
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      // The form's data is taken by now; a page restored from the back/forward
      // cache must ask again.
      confirm.remove();
      delete form.dataset.confirming;
    }, { once: true });
    dialog.showModal();
  };
}
