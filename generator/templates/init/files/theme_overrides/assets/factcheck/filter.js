/* Progressive enhancement: lists marked data-fc-filterable get a text filter, and a verdict
   filter when their items carry data-verdict. Without JavaScript the full list is shown. */
(function () {
  function setup(list, index) {
    var items = Array.prototype.slice.call(list.children);
    if (items.length < 2) return;
    var box = document.createElement("div");
    box.className = "fc-filter";
    var inputId = "fc-filter-" + index;
    var label = document.createElement("label");
    label.htmlFor = inputId;
    label.textContent = "Filter this list";
    var input = document.createElement("input");
    input.type = "search";
    input.id = inputId;
    input.autocomplete = "off";
    box.appendChild(label);
    box.appendChild(input);
    var verdicts = {};
    items.forEach(function (item) {
      var id = item.getAttribute("data-verdict");
      var badge = item.querySelector(".fc-badge__label");
      if (id && badge) verdicts[id] = badge.textContent;
    });
    var select = null;
    if (Object.keys(verdicts).length > 1) {
      select = document.createElement("select");
      select.id = inputId + "-verdict";
      var selectLabel = document.createElement("label");
      selectLabel.htmlFor = select.id;
      selectLabel.textContent = "Verdict";
      select.appendChild(new Option("All verdicts", ""));
      Object.keys(verdicts).forEach(function (id) { select.appendChild(new Option(verdicts[id], id)); });
      box.appendChild(selectLabel);
      box.appendChild(select);
    }
    var count = document.createElement("span");
    count.className = "fc-filter__count";
    count.setAttribute("aria-live", "polite");
    box.appendChild(count);
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var verdict = select ? select.value : "";
      var shown = 0;
      items.forEach(function (item) {
        var text = item.textContent.toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) !== -1; }) &&
          (!verdict || item.getAttribute("data-verdict") === verdict);
        item.hidden = !match;
        if (match) shown += 1;
      });
      count.textContent = shown + " of " + items.length + " shown";
    }
    input.addEventListener("input", apply);
    if (select) select.addEventListener("change", apply);
    list.parentNode.insertBefore(box, list);
    apply();
  }
  document.querySelectorAll("[data-fc-filterable]").forEach(setup);
})();
