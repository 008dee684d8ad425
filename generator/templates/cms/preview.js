/* The claim preview of the editing screen: the claim as its page will show it (verdict badge,
   the quotes side by side, the sources), drawn with the CMS's own React globals `h` and
   `createClass`, so no build step is needed. Labels, colours, speakers and sources come from
   preview-data.json, written with the site; an id the site does not know yet is shown as typed. */
(function () {
  "use strict";
  var CMS = window.CMS, h = window.h, createClass = window.createClass;
  if (!CMS || !h || !createClass) { return; }
  var data = {verdicts: {}, speakers: {}, topics: {}, seeds: {}};
  fetch("preview-data.json").then(function (r) { return r.ok ? r.json() : data; })
    .then(function (loaded) { data = loaded; }, function () {});

  function get(entry, path) {
    var value = entry.getIn(["data"].concat(path));
    return value && value.toJS ? value.toJS() : value;
  }
  function text(value) { return value === undefined || value === null ? "" : String(value); }
  function sourceOf(ref) {
    if (ref && typeof ref === "object") {
      return {outlet: text(ref.outlet), title: text(ref.title || ref.url), published: text(ref.published), url: ref.url};
    }
    var seed = data.seeds[ref];
    return seed || {outlet: text(ref) || "(no source chosen)", title: "", published: "", url: null};
  }
  function sourceLine(source) {
    var label = source.outlet + (source.title ? ": " + source.title : "");
    var cite = source.url ? h("a", {href: source.url, rel: "noopener", target: "_blank"}, label) : label;
    return h("span", {className: "fc-preview__source"}, h("cite", null, cite),
             source.published ? ", published " + source.published : "");
  }
  function quote(statement, key) {
    statement = statement || {};
    var speaker = data.speakers[statement.speaker] || {name: text(statement.speaker) || "(no speaker chosen)", role: ""};
    return h("figure", {key: key, className: "fc-quote" + (statement.reported ? " fc-quote--reported" : "")},
      h("blockquote", null, text(statement.quote).split(/\n\s*\n/).map(function (p, i) {
        return h("p", {key: i}, p);
      })),
      h("figcaption", null,
        h("strong", null, speaker.name), speaker.role ? ", " + speaker.role : "",
        statement.date ? ", said on " + statement.date : "",
        statement.context ? " (" + statement.context + ")" : "", ". ",
        statement.reported ? "Not a quotation: the outlet's paraphrase, in " : "Quoted in ",
        sourceLine(sourceOf(statement.source)), "."));
  }
  function badge(rating) {
    var verdict = data.verdicts[rating];
    if (!verdict) {
      return h("span", {className: "fc-badge fc-badge--unknown"}, rating ? "Unknown verdict " + rating : "No verdict chosen");
    }
    return h("span", {className: "fc-badge", style: {background: verdict.colour}}, verdict.label);
  }

  /* the headings of the claim page, by the counter-statement's stance (claim.html) */
  var STANCES = [["contradicts", "What contradicts the claim"], ["supports", "What supports the claim"],
                 ["adds-context", "Context"], [undefined, "Other statements (no stance chosen yet)"]];

  var ClaimPreview = createClass({
    render: function () {
      var entry = this.props.entry;
      var statement = get(entry, ["statement"]) || {};
      var counters = get(entry, ["counter_statements"]) || [];
      var rating = get(entry, ["verdict", "rating"]);
      var topics = get(entry, ["topics"]) || [];
      var sources = [], seen = {};
      [statement].concat(counters).forEach(function (s) {
        if (!s || !s.source) { return; }
        var key = typeof s.source === "string" ? s.source : JSON.stringify(s.source);
        if (!seen[key]) { seen[key] = true; sources.push(sourceOf(s.source)); }
      });
      return h("article", {className: "fc-preview"},
        h("p", {className: "fc-kicker"}, "Fact-check preview"),
        h("h1", null, text(get(entry, ["claim"])) || "(the claim)"),
        h("div", {className: "fc-verdict"},
          h("p", null, "Our verdict: ", badge(rating)),
          h("p", {className: "fc-verdict__summary"}, text(get(entry, ["verdict", "summary"])))),
        h("p", {className: "fc-dates"}, "Checked on " + (text(get(entry, ["published"])) || "(date)"),
          topics.length ? " · Topics: " + topics.map(function (t) { return data.topics[t] || t; }).join(", ") : ""),
        h("div", {className: "fc-sides"},
          h("section", {className: "fc-side"}, h("h2", null, "What was said"), quote(statement, "said")),
          STANCES.filter(function (stance) {
            return counters.some(function (c) { return (c && c.stance) === stance[0]; });
          }).map(function (stance) {
            return h("section", {key: stance[0], className: "fc-side"}, h("h2", null, stance[1]),
              counters.map(function (c, i) {
                return (c && c.stance) === stance[0] ? quote(c, "counter-" + i) : null;
              }));
          })),
        h("section", {className: "fc-analysis"}, h("h2", null, "Analysis"), this.props.widgetFor("analysis")),
        h("section", {className: "fc-sources"}, h("h2", null, "Sources"),
          h("ol", null, sources.map(function (s, i) { return h("li", {key: i}, sourceLine(s)); }))));
    }
  });

  CMS.registerPreviewStyle("preview.css");
  CMS.registerPreviewTemplate("claims", ClaimPreview);
}());
