"""The bundled search index finds what one Pagefind index of the whole site finds.

The reference is the index made the way it was before the split: `python -m pagefind` over the
built site's HTML (claim pages carry `data-pagefind-body`, so Pagefind indexes exactly those). A
fixed list of queries runs in headless Chromium: on the reference through Pagefind's JS API, and on
the site's own index through the search page's own function (`window.factcheckSearch`), which
merges every bundle listed in `pagefind/bundles.json` and keeps Pagefind's fallback for words a
bundle lacks from adding unrelated claims.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from generator import search
from generator.corpus import Project, load_corpus

from ..conftest import copy_publication, mkdocs_build

pytestmark = pytest.mark.browser

REFERENCE = "_reference/"
QUERIES = ["Lavrov", "security guarantees", "summit", "Witkoff", "Article 5", "Zelensky", "Anchorage"]

RUN = """async ({listing, folders, queries}) => {
  let search;
  if (listing) {
    const response = await fetch(listing, {cache: "no-cache"});
    const base = new URL(listing, location.href);
    folders = (await response.json()).bundles.map((bundle) => new URL(bundle, base).pathname);
    search = window.factcheckSearch;
  } else {
    const pagefind = await import(folders[0] + "pagefind.js");
    await pagefind.search("");
    for (const folder of folders.slice(1)) await pagefind.mergeIndex(folder);
    search = pagefind.search;
  }
  const found = {};
  for (const query of queries) {
    const response = await search(query);
    found[query] = await Promise.all(response.results.map(async (result) => {
      const data = await result.data();
      return {url: data.url, score: result.score, title: data.meta.title, filters: data.filters,
              excerpt: data.excerpt};
    }));
  }
  return {folders, found};
}"""
"""The reference runs on a page without the search page's script (which would merge the site's
bundles into the same Pagefind module); the site's index runs on the search page itself."""


def unique_word(root: Path) -> str:
    """A word of one claim's analysis that no other claim's text holds, nor any word starting with it."""
    corpus, diagnostics = load_corpus(Project(root))
    assert not diagnostics.errors
    texts = {cid: json.dumps(claim.model_dump(mode="json"), ensure_ascii=False).casefold()
             for cid, claim in corpus.claims.items()}
    words = {cid: set(re.findall(r"[a-z]{9,}", text)) for cid, text in texts.items()}
    counts = Counter(w for cid in sorted(words) for w in words[cid])
    for cid in sorted(words):
        for word in sorted(words[cid]):
            if counts[word] == 1 and sum(re.search(rf"\b{word}", t) is not None for t in texts.values()) == 1:
                return word
    raise AssertionError("no word of one claim only")


def with_reference(site: Path, work: Path) -> Path:
    """A copy of `site` with the reference index in it, at `_reference/`."""
    copy = work / "site"
    shutil.copytree(site, copy)
    result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(copy),
                             "--output-path", str(copy / REFERENCE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return copy


def run(browser: Any, base: str, **where: Any) -> dict[str, Any]:
    context = browser.new_context()
    try:
        tab = context.new_page()
        if where.get("listing"):
            tab.goto(base + "search/")
            tab.wait_for_function("typeof window.factcheckSearch === 'function'")
        else:
            tab.goto(base + "about/")
            assert tab.evaluate("!document.querySelector('#fc-search')")
        ran: dict[str, Any] = tab.evaluate(RUN, {"listing": None, "folders": None, **where})
        return ran
    finally:
        context.close()


@pytest.fixture(scope="module")
def several_bundles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_publication(tmp_path_factory.mktemp("reference-bundled") / "pub")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "BUNDLE_CLAIMS", 4)
        return mkdocs_build(root)


def compare(site: Path, tmp_path: Path, serve: Any, browser: Any) -> tuple[dict, dict, list[str]]:
    copy = with_reference(site, tmp_path)
    claims = len(list((site.parent / "claims").glob("*.yaml")))
    entry = json.loads((copy / REFERENCE / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["en"]["page_count"] == claims, "the reference indexes the claim pages only"
    base = serve(copy)
    queries = [*QUERIES, unique_word(site.parent)]
    ours = run(browser, base, listing="/pagefind/bundles.json", queries=queries)
    reference = run(browser, base, folders=["/" + REFERENCE], queries=queries)
    listed = json.loads((site / "pagefind" / "bundles.json").read_text(encoding="utf-8"))["bundles"]
    assert ours["folders"] == [f"/pagefind/{bundle}" for bundle in listed]
    assert len(reference["found"][queries[-1]]) == 1, f"{queries[-1]!r} is a word of one claim"
    return ours["found"], reference["found"], queries


def urls(results: list[dict[str, Any]]) -> list[str]:
    return [r["url"] for r in results]


def test_one_bundle_ranks_as_an_index_of_the_whole_site(built_site: Path, tmp_path: Path, serve: Any,
                                                         browser: Any) -> None:
    """The publication fits one bundle: same results in the same order, with the same scores,
    titles, filters and excerpts."""
    assert json.loads((built_site / "pagefind" / "bundles.json").read_text(encoding="utf-8")) == {"bundles": ["0/"]}
    ours, reference, queries = compare(built_site, tmp_path, serve, browser)
    for query in queries:
        assert ours[query], query
        assert urls(ours[query]) == urls(reference[query]), query
        assert ours[query] == reference[query], query


def test_several_bundles_find_the_claims_an_index_of_the_whole_site_finds(several_bundles: Path, tmp_path: Path,
                                                                         serve: Any, browser: Any) -> None:
    """With four bundles, each query finds the same claims as one index of the whole site, and shows
    each with the same title and filters. Not in the same order: Pagefind ranks with statistics of
    each index (how many pages, their average length, how many hold the word), so the scores of
    merged bundles differ from one index's; for "Lavrov" the order differs. Only the sets are
    compared (the order is compared in the one-bundle test above)."""
    assert len(json.loads((several_bundles / "pagefind" / "bundles.json").read_text(encoding="utf-8"))["bundles"]) > 1
    ours, reference, queries = compare(several_bundles, tmp_path, serve, browser)
    differ = {}
    for query in queries:
        assert ours[query], query
        assert len(urls(ours[query])) == len(set(urls(ours[query]))), f"{query}: a claim found twice"
        mine, theirs = set(urls(ours[query])), set(urls(reference[query]))
        if mine != theirs:
            marked = {r["url"]: sorted(set(re.findall(r"<mark>(.*?)</mark>", r["excerpt"]))) for r in ours[query]}
            differ[query] = {"only in the bundles (words marked)": {url: marked[url] for url in sorted(mine - theirs)},
                             "only in the reference": sorted(theirs - mine)}
        shown = {r["url"]: (r["title"], r["filters"]) for r in reference[query]}
        for result in ours[query]:
            if result["url"] in shown:
                assert (result["title"], result["filters"]) == shown[result["url"]], result["url"]
    assert differ == {}, json.dumps(differ, indent=1, ensure_ascii=False)
