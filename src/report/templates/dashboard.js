// Search and filters for the deployments table. The rows are already sorted and complete in
// the HTML; this only hides rows. The state lives in the address's fragment
// (#q=…&environment=…&verdict=…), so a filtered view can be bookmarked or shared.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var table = document.getElementById("deployments-table");
  if (!form || !table) return;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var fields = form.elements;
  var shown = document.getElementById("shown");
  var noMatch = document.getElementById("no-match");

  // `remember` is false on load: a fragment that is an anchor (#owners) stays untouched.
  function apply(remember) {
    var words = fields.q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var environment = fields.environment.value;
    var verdict = fields.verdict.value;
    var count = 0;
    rows.forEach(function (row) {
      var data = row.dataset;
      var visible = (!environment || data.environment === environment) &&
        (!verdict || data.verdict === verdict) &&
        words.every(function (word) { return data.search.indexOf(word) !== -1; });
      row.hidden = !visible;
      if (visible) count += 1;
    });
    shown.textContent = String(count);
    noMatch.hidden = count !== 0;
    if (!remember) return;
    var state = new URLSearchParams();
    ["q", "environment", "verdict"].forEach(function (name) {
      if (fields[name].value) state.set(name, fields[name].value);
    });
    var fragment = state.toString();
    try {
      history.replaceState(null, "", fragment ? "#" + fragment : location.pathname + location.search);
    } catch (ignored) {
      // Some browsers refuse history changes on file: pages; filtering still works.
    }
  }

  var initial = new URLSearchParams(location.hash.slice(1));
  ["q", "environment", "verdict"].forEach(function (name) {
    if (initial.has(name)) fields[name].value = initial.get(name);
  });
  form.addEventListener("input", function () { apply(true); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply(false);

  // Printing shows the collapsed details too, then restores them.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"),
      function (details) { details.open = true; return true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
  });
})();
