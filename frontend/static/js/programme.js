// The programme's Print button. The reader's own time beside each session
// comes from the server, in the zone of the reader's account.
for (const print of document.querySelectorAll("[data-print]")) {
  print.hidden = false;
  print.querySelector("button").addEventListener("click", () => window.print());
}
