// Niceties only: every page works without this script (relative times are rendered by the server).
"use strict";
document.documentElement.classList.add("js");

const UNITS = [[31536000, "year"], [2592000, "month"], [86400, "day"], [3600, "hour"], [60, "minute"]];

function relative(seconds) {
  for (const [size, unit] of UNITS) {
    if (seconds >= size) {
      const count = Math.floor(seconds / size);
      return count + " " + unit + (count === 1 ? "" : "s") + " ago";
    }
  }
  return "just now";
}

function refreshTimes() {
  const now = Date.now();
  for (const el of document.querySelectorAll("time[data-relative]")) {
    const when = Date.parse(el.getAttribute("datetime"));
    if (!Number.isNaN(when)) el.textContent = relative(Math.max(0, (now - when) / 1000));
  }
}

function copy(button) {
  const text = button.getAttribute("data-copy");
  const done = () => { button.textContent = "Copied"; setTimeout(() => { button.textContent = "Copy"; }, 1500); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => { button.textContent = "Select and copy"; });
  } else {
    button.textContent = "Select and copy";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  refreshTimes();
  setInterval(refreshTimes, 60000);
  for (const button of document.querySelectorAll("button.copy")) {
    button.addEventListener("click", () => copy(button));
  }
});
