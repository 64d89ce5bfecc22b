// Beside each narrative field: search sources by key or title and insert [@key] at the cursor.
(function () {
  "use strict";

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
    textarea.selectionStart = textarea.selectionEnd = start + text.length;
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setUp(field) {
    var textarea = field.querySelector("textarea");
    var search = field.querySelector(".citation-search");
    var results = field.querySelector(".citation-results");
    var url = field.getAttribute("data-search-url");
    var timer = null;

    function show(items) {
      results.innerHTML = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = "[@" + item.key + "] " + item.title;
        button.addEventListener("click", function () {
          insertAtCursor(textarea, "[@" + item.key + "]");
          results.innerHTML = "";
        });
        li.appendChild(button);
        results.appendChild(li);
      });
    }

    search.addEventListener("input", function () {
      clearTimeout(timer);
      var term = search.value.trim();
      if (!term) { results.innerHTML = ""; return; }
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(term), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { show(data.results); });
      }, 200);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".citation-field"), setUp);
  });
})();
