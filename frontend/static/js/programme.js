// The reader's own time beside each session of a meeting's programme, when
// the reader's clock is in another zone than the meeting's. Without this
// file the programme shows the meeting's times with the zone's abbreviation.
for (const print of document.querySelectorAll("[data-print]")) {
  print.hidden = false;
  print.querySelector("button").addEventListener("click", () => window.print());
}

for (const programme of document.querySelectorAll("[data-programme-zone]")) {
  const meetingZone = programme.dataset.programmeZone;
  const readerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!readerZone || readerZone === meetingZone) continue;
  const lang = document.documentElement.lang || undefined;
  const clock = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
  const meetingDay = new Intl.DateTimeFormat("en-CA", { timeZone: meetingZone, year: "numeric", month: "2-digit", day: "2-digit" });
  const readerDay = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit" });
  const dayFormat = new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", month: "short" });
  for (const slot of programme.querySelectorAll(".slot-time")) {
    const times = slot.querySelectorAll("time[datetime]");
    if (times.length !== 2) continue;
    const start = new Date(times[0].dateTime);
    const end = new Date(times[1].dateTime);
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) continue;
    // Same offset now means the same clock: nothing to add.
    if (clock.format(start) === new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZoneName: "short", timeZone: meetingZone }).format(start)) continue;
    const local = document.createElement("span");
    local.className = "slot-local";
    let text = `${clock.formatRange ? clock.formatRange(start, end) : clock.format(start)}`;
    if (meetingDay.format(start) !== readerDay.format(start)) text = `${dayFormat.format(start)}, ${text}`;
    local.textContent = `${programme.dataset.yourTime} ${text}`;
    slot.append(local);
  }
}
