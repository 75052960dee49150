// Keyboard shortcuts for the desk (no framework; the pages work without this script).
(function () {
  "use strict";
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr[data-case-id]")); }
  function current() { return document.querySelector("tr[data-case-id].current"); }
  function move(step) {
    var all = rows(); if (!all.length) return;
    var i = all.indexOf(current());
    var next = all[Math.max(0, Math.min(all.length - 1, i + step))] || all[0];
    all.forEach(function (r) { r.classList.remove("current"); });
    next.classList.add("current"); next.focus();
  }
  function focusAction(name) {
    var b = document.querySelector('button[data-action="' + name + '"]');
    if (!b) return;
    var form = b.form, field = form && (form.querySelector("textarea, input[name=reason], input[name=note]"));
    if (field) { field.focus(); field.dataset.submitAction = name; } else { b.click(); }
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (typing(e)) {
      // Ctrl-less Enter in a reason field submits with the action chosen by its shortcut
      var act = e.target.dataset && e.target.dataset.submitAction;
      if (e.key === "Enter" && act && e.target.tagName === "TEXTAREA" && !e.shiftKey) {
        e.preventDefault();
        var b = document.querySelector('button[data-action="' + act + '"]'); if (b) b.click();
      }
      return;
    }
    switch (e.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "Enter": var r = current(); if (r) { var a = r.querySelector("a.open"); if (a) a.click(); } break;
      case "x": var c = current(); if (c) { var box = c.querySelector("input[type=checkbox]"); if (box) box.checked = !box.checked; } break;
      case "/": var q = document.querySelector("input[name=q]"); if (q) { e.preventDefault(); q.focus(); } break;
      case "v": focusAction("verify"); break;
      case "r": focusAction("reject"); break;
      case "a": focusAction("acknowledge"); break;
      case "n": var n = document.getElementById("note"); if (n) { e.preventDefault(); n.focus(); } break;
      default: return;
    }
  });
})();
