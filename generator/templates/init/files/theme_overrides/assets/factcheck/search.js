/* Search page: Pagefind's UI, loaded only here; results show the verdict. */
(function () {
  var mount = document.getElementById("fc-search");
  if (!mount || typeof PagefindUI === "undefined") {
    var note = document.getElementById("fc-search-unavailable");
    if (note) note.hidden = false;
    return;
  }
  var ui = new PagefindUI({
    element: "#fc-search",
    bundlePath: mount.getAttribute("data-bundle"),
    showSubResults: false,
    showImages: false,
    resetStyles: false,
    translations: { placeholder: "Search the fact-checks" },
    processResult: function (result) {
      if (result.meta && result.meta.verdict) {
        result.meta.title = result.meta.title + " — Verdict: " + result.meta.verdict;
      }
      return result;
    }
  });
  var input = mount.querySelector("input");
  if (input) {
    input.id = "fc-search-input";
    var label = document.createElement("label");
    label.htmlFor = input.id;
    label.textContent = "Words to search for, in claims, quotes, names and analysis:";
    mount.parentNode.insertBefore(label, mount);
  }
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
})();
