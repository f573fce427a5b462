(function () {
  "use strict";
  function key(row, i) {
    var c = row.cells[i];
    return c ? (c.getAttribute("data-sort") || c.textContent) : "";
  }
  var heads = document.querySelectorAll("table.sortable th");
  Array.prototype.forEach.call(heads, function (th) {
    th.addEventListener("click", function () {
      var table = th.closest("table");
      var body = table.tBodies[0];
      var i = th.cellIndex;
      var num = th.getAttribute("data-type") === "num";
      var asc = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.querySelectorAll("th"), function (h) {
        h.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, i), y = key(b, i);
        var d = num ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
        return asc ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  var buttons = document.querySelectorAll("button.copy");
  Array.prototype.forEach.call(buttons, function (b) {
    b.addEventListener("click", function () {
      var el = document.getElementById(b.getAttribute("data-target"));
      if (!el) { return; }
      function done() {
        b.textContent = "Copied";
        setTimeout(function () { b.textContent = "Copy"; }, 1500);
      }
      function select() {
        var r = document.createRange();
        r.selectNodeContents(el);
        var s = window.getSelection();
        s.removeAllRanges();
        s.addRange(r);
        try { if (document.execCommand("copy")) { done(); } } catch (e) { /* selected for Ctrl-C */ }
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(el.textContent).then(done, select);
      } else {
        select();
      }
    });
  });
}());
