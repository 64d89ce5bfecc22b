// Beside each narrative field: search sources by key or title and insert [@key] at the cursor;
// or paste a page's address to make a new source from the page and cite it.
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

    function citeAddress(address) {
      results.innerHTML = "";
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = field.getAttribute("data-cite-label");
      button.addEventListener("click", function () {
        button.disabled = true;
        button.textContent = field.getAttribute("data-citing-label");
        var body = new FormData();
        body.append("url", address);
        var token = document.querySelector("input[name=csrfmiddlewaretoken]");
        fetch(field.getAttribute("data-cite-url"), {
          method: "POST", body: body, credentials: "same-origin",
          headers: { "X-CSRFToken": token ? token.value : "" }
        }).then(function (response) { return response.json(); }).then(function (data) {
          if (data.error) { li.textContent = data.error; return; }
          insertAtCursor(textarea, "[@" + data.key + "]");
          li.textContent = "[@" + data.key + "] " + data.title;
          search.value = "";
        });
      });
      li.appendChild(button);
      results.appendChild(li);
    }

    search.addEventListener("input", function () {
      clearTimeout(timer);
      var term = search.value.trim();
      if (!term) { results.innerHTML = ""; return; }
      if (/^https?:\/\//i.test(term)) { citeAddress(term); return; }
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
