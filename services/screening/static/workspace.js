// Progressive help for the workspace; every page works without it.
(function () {
  "use strict";

  // The decision form: choosing a reason puts that reason's template into the message fields,
  // unless the officer has changed the text (then a button offers to replace it).
  function decisionTemplates() {
    var select = document.getElementById("reason_code");
    var data = document.getElementById("reply-templates");
    if (!select || !data) return;
    var templates;
    try { templates = JSON.parse(data.textContent); } catch (e) { return; }
    var fields = { da: document.getElementById("message_da"), en: document.getElementById("message_en") };
    var note = document.getElementById("template-note");
    var replace = document.getElementById("template-replace");
    var last = select.value;

    function unchanged() {
      return Object.keys(fields).every(function (lang) {
        var field = fields[lang];
        return !field || field.value.trim() === (((templates[last] || {})[lang]) || "").trim();
      });
    }
    function fill(reason) {
      Object.keys(fields).forEach(function (lang) {
        if (fields[lang]) fields[lang].value = (templates[reason] || {})[lang] || "";
      });
      last = reason;
      if (note) note.hidden = true;
    }
    select.addEventListener("change", function () {
      if (unchanged()) { fill(select.value); } else if (note) { note.hidden = false; }
    });
    if (replace) replace.addEventListener("click", function () { fill(select.value); });
  }

  // The phone form: show only the chosen category's details.
  function phoneCategories() {
    var radios = document.querySelectorAll("[data-category-switch]");
    var sets = document.querySelectorAll("fieldset.details[data-category]");
    if (!radios.length || !sets.length) return;
    function update() {
      var chosen = document.querySelector("[data-category-switch]:checked");
      sets.forEach(function (set) {
        set.hidden = !chosen || set.getAttribute("data-category") !== chosen.value;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  // Move focus to an error summary so keyboard and screen-reader users hear it first.
  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    decisionTemplates();
    phoneCategories();
    focusErrors();
  });
})();
