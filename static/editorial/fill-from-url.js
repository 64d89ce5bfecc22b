// "Fill from URL" on the source form: the page's citation fills the fields left empty, and each
// filled field says where its value came from. Nothing is saved until the editor saves.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function note(field, text) {
    var row = field.closest(".form-row") || field.parentNode;
    var old = row.querySelector(".filled-from");
    if (old) { old.remove(); }
    var p = document.createElement("p");
    p.className = "help filled-from";
    p.textContent = text;
    row.appendChild(p);
  }

  function fill(form, data, status) {
    var filled = 0;
    Object.keys(data.source).forEach(function (name) {
      var field = form.querySelector("[name=" + name + "]");
      if (!field || (field.value && field.tagName !== "SELECT")) { return; }
      field.value = data.source[name];
      field.dispatchEvent(new Event("change", { bubbles: true }));
      note(field, status.getAttribute("data-from") + " " + data.from[name]);
      filled += 1;
    });
    status.textContent = status.getAttribute("data-done").replace("{n}", filled) +
      (data.notes.length ? " " + data.notes.join(" ") : "");
  }

  function setUp(box) {
    var button = box.querySelector(".fill-from-url-button");
    var input = box.querySelector("input");
    var status = box.querySelector(".fill-from-url-status");
    button.addEventListener("click", function () {
      if (!input.value.trim()) { input.focus(); return; }
      status.textContent = status.getAttribute("data-working");
      button.disabled = true;
      var body = new FormData();
      body.append("url", input.value.trim());
      fetch(box.getAttribute("data-fill-url"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() }
      }).then(function (response) {
        return response.json();
      }).then(function (data) {
        if (data.error) { status.textContent = data.error; } else { fill(input.form, data, status); }
      }).catch(function () {
        status.textContent = status.getAttribute("data-failed");
      }).finally(function () { button.disabled = false; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".fill-from-url"), setUp);
  });
})();
