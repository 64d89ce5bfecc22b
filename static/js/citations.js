// Shows a citation's reference in a small popup when its marker is hovered or focused.
// Without JavaScript each marker stays a plain link to its entry in the reference list.
(function () {
  "use strict";
  var popup = null;
  var hideTimer = null;

  function ensurePopup() {
    if (popup) { return popup; }
    popup = document.createElement("div");
    popup.className = "citation-preview";
    popup.id = "citation-preview";
    popup.setAttribute("role", "tooltip");
    popup.hidden = true;
    popup.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    popup.addEventListener("mouseleave", scheduleHide);
    document.body.appendChild(popup);
    return popup;
  }

  function referenceFor(link) {
    var id = decodeURIComponent((link.getAttribute("href") || "").slice(1));
    var note = document.getElementById(id);
    return note ? note.querySelector(".citation") : null;
  }

  function show(link) {
    var citation = referenceFor(link);
    if (!citation) { return; }
    clearTimeout(hideTimer);
    var box = ensurePopup();
    box.innerHTML = "";
    var number = document.createElement("strong");
    number.textContent = link.textContent + " ";
    box.appendChild(number);
    box.appendChild(citation.cloneNode(true));
    box.hidden = false;
    var rect = link.getBoundingClientRect();
    var left = Math.max(8, Math.min(rect.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - box.offsetWidth - 8));
    box.style.left = left + "px";
    box.style.top = (rect.bottom + window.scrollY + 6) + "px";
    link.setAttribute("aria-describedby", box.id);
  }

  function hide() {
    if (popup) { popup.hidden = true; }
  }

  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 250);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var links = document.querySelectorAll("sup.reference > a");
    Array.prototype.forEach.call(links, function (link) {
      link.addEventListener("mouseenter", function () { show(link); });
      link.addEventListener("mouseleave", scheduleHide);
      link.addEventListener("focus", function () { show(link); });
      link.addEventListener("blur", scheduleHide);
      link.addEventListener("click", hide);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { hide(); }
    });
  });
})();
