// quoteline: small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("keydown", (event) => {
  // "/" jumps to the search box, as on many sites; ignored while typing in a field.
  const target = event.target;
  const typing = target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  if (event.key === "/" && !typing) {
    const box = document.getElementById("q") || document.getElementById("text");
    if (box) { event.preventDefault(); box.focus(); }
  }
});
