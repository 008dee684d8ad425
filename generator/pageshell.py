"""Generated pages in the theme's frame, without running the theme's templates for each one.

The theme's page around a generated page (header, navigation, footer: most of the time MkDocs
spends on a claim page) is the same for every generated page of a folder, except for three
values: the page's title, its canonical address and its body. A shell is that page rendered once
by the theme with a marker before each value; every further page of the folder is the shell with
its own values put in, in microseconds instead of a millisecond of Jinja.

What the theme does with a value is found, not assumed: each marker carries `<`, `&` and an
entity, so the shell records whether the theme prints the value as it is, escaped, or without
tags. A shell is used only after these checks, which are samples, not a proof:

- only pages out of the navigation, with no table of contents, are eligible, and pages are
  grouped by template, folder, depth and metadata, so that no navigation state or setting differs;
- the first page of a group is rendered by the theme; the shell is derived from the second, twice,
  with markers of two lengths, and both derivations must agree (a theme that chooses what to show
  by a value's length does not), and it must give the theme's output for both pages (a theme
  that shows anything else of a page, its address or its file name, does not): otherwise that
  group is rendered by the theme, as without the shell. A group of one page costs nothing extra;
- every `SAMPLE`-th page after them is checked the same way. A difference there means the theme
  shows some pages differently from the first ones for a reason the shell cannot see (a test on a
  title's wording, say): the build stops with an error naming both pages (a staged build
  publishes nothing). Pages between samples are not compared: a theme override that treats a few
  pages differently by their own wording needs `page_shell: false`.
"""

from __future__ import annotations

import copy
import itertools
import posixpath
import secrets
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import ChoiceLoader, DictLoader, Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page

TEMPLATE = "factcheck/page-shell.html"
"""What MkDocs renders for a page handed to the shells: a call back into `PageShells`."""
CHECKED = 2
"""Pages of each group rendered by the theme before the shell is used: the shell is derived from
the second and must give the theme's output for both."""
SAMPLE = 32
"""After that, one page in this many is rendered by the theme as well, and compared."""


class ShellError(PluginError):
    """A page of a group differs from its shell in more than its values (see the module's text)."""

Transform = Callable[[str], str]
TRANSFORMS: tuple[Transform, ...] = (
    lambda value: value,  # {{ v }}
    lambda value: str(escape(value)),  # {{ v | e }}
    lambda value: Markup(value).striptags(),  # {{ v | striptags }}
)
"""What a theme may do with a value, as Jinja prints it: as it is, escaped, or without tags."""


def _read(page: Page) -> list[str]:
    return [page.meta.get("title", ""), page.canonical_url or "", page.content or ""]


def _write(page: Page, values: list[str]) -> None:
    page.meta["title"], page.canonical_url, page.content = values


@dataclass
class _Shell:
    texts: list[str]
    """The theme's text between values (one more than `slots`)."""
    slots: list[tuple[int, Transform]]
    """Which value (title, address, body) goes in each gap, and how the theme prints it."""

    def fill(self, values: list[str]) -> str:
        parts = [self.texts[0]]
        for (value, transform), text in zip(self.slots, self.texts[1:], strict=True):
            parts += (transform(values[value]), text)
        return "".join(parts)


@dataclass
class _Group:
    first: str
    """Its first page."""
    pending: tuple[list[str], str] | None
    """The first page's values and the theme's output for it, until the second page decides."""
    shell: _Shell | None = None
    """None: this group's pages are rendered by the theme."""
    filled: int = 0
    """Pages given the shell's output."""
    sampled: int = 0
    """Pages after the first two rendered by the theme and compared with the shell's output."""


@dataclass
class PageShells:
    """The shells of one build. `take` a page before MkDocs renders it; `install` into the theme's
    environment (MkDocs' `on_env`)."""

    templates: dict[str, str] = field(default_factory=dict)
    """Pages taken (source path) -> the template the theme would render them with."""
    groups: dict[tuple[Any, ...], _Group] = field(default_factory=dict)
    token: str = field(default_factory=lambda: secrets.token_hex(6))
    fixed: Callable[[str], str] = field(default=lambda html: html)
    """What the build does to the theme's output of a page (the markup fixes of `theme_fixes`):
    done here to each page the theme renders, so that a shell holds the fixed markup and the
    pages filled into it need nothing more (`took`)."""

    def take(self, page: Page) -> None:
        self.templates[page.file.src_uri] = page.meta.get("template", "main.html")
        page.meta["template"] = TEMPLATE

    def install(self, env: Environment) -> None:
        env.loader = ChoiceLoader([DictLoader({TEMPLATE: "{{ factcheck_page_shell() }}"}), *(
            [env.loader] if env.loader is not None else [])])

        @pass_context
        def render(context: Context) -> Markup:
            return self._render(context)

        env.globals["factcheck_page_shell"] = render

    def took(self, src_uri: str) -> bool:
        """Whether the page went through the shells (its output is `fixed` already)."""
        return src_uri in self.templates

    def counts(self) -> tuple[int, int]:
        """Pages filled into a shell, and pages rendered by the theme."""
        filled = sum(g.filled for g in self.groups.values())
        return filled, len(self.templates) - filled

    def _render(self, context: Context) -> Markup:
        page: Page = context["page"]
        name = self.templates[page.file.src_uri]
        template = context.environment.get_template(name)

        def theme() -> str:
            """The page as the theme renders it (with the values the page holds at the time), fixed."""
            return self.fixed(template.render(context.get_all()))

        meta = sorted((k, repr(v)) for k, v in page.meta.items() if k not in {"title", "template"})
        folder = posixpath.dirname(page.url.rstrip("/"))
        eligible = page.parent is None and page.previous_page is None and page.next_page is None and not page.toc
        if not eligible:
            return Markup(theme())
        group = self.groups.get(key := (name, folder, context.get("base_url"), tuple(meta)))
        if group is None:  # rendered by the theme, and kept to check the shell the next page gives
            output = theme()
            self.groups[key] = _Group(page.file.src_uri, (_read(page), output))
            return Markup(output)
        if group.pending is not None:  # the second page: the shell comes from it, and must give both
            (values, first_output), group.pending = group.pending, None
            shell = self._derive(theme, page)
            output = theme()
            if shell is not None and shell.fill(values) == first_output and shell.fill(_read(page)) == output:
                group.shell = shell
            return Markup(output)
        if group.shell is None:
            return Markup(theme())
        filled = group.shell.fill(_read(page))
        if (group.filled + group.sampled + 1) % SAMPLE:
            group.filled += 1
            return Markup(filled)
        output = theme()
        if filled != output:
            raise ShellError(_difference(page.file.src_uri, group.first, filled, output))
        group.sampled += 1
        return Markup(output)

    def _derive(self, theme: Callable[[], str], page: Page) -> _Shell | None:
        """The shell of `page`'s group, or None when the two derivations disagree or fail. The page
        is left as it was, whatever the theme did to its metadata while rendering the markers."""
        values, meta = _read(page), copy.deepcopy(page.meta)
        shells = []
        try:
            for shape in ("{n}<b>&amp;</b>&", "{n} <i>&lt;</i> " + "long " * 40):
                _restore(page, meta)  # each derivation starts from the page as it was
                markers = [f"fcshell{self.token}{n}" for n in range(len(values))]
                tails = [shape.format(n=n) + value for n, value in enumerate(values)]
                _write(page, [marker + tail for marker, tail in zip(markers, tails, strict=True)])
                shells.append(_split(theme(), markers, tails))
        except Exception:  # the theme cannot take the markers: its pages are rendered by the theme
            return None
        finally:
            _restore(page, meta)
            _write(page, values)
        first, second = shells
        if first is None or second is None or first.texts != second.texts \
                or [s[0] for s in first.slots] != [s[0] for s in second.slots] \
                or [s[1] for s in first.slots] != [s[1] for s in second.slots]:
            return None
        return first


def _restore(page: Page, meta: MutableMapping[str, Any]) -> None:
    page.meta.clear()
    page.meta.update(copy.deepcopy(meta))


def _split(output: str, markers: list[str], tails: list[str]) -> _Shell | None:
    """`output` cut at each marker: the texts between, and which value and transform each gap
    takes. None if a marker is printed in a way `TRANSFORMS` does not give."""
    texts, slots, position = [], [], 0
    starts = sorted(itertools.chain.from_iterable(
        ((found, n) for found in _find_all(output, marker)) for n, marker in enumerate(markers)))
    for start, n in starts:
        if start < position:
            return None  # a marker inside another value's printed text
        whole = markers[n] + tails[n]
        for transform in TRANSFORMS:
            printed = transform(whole)
            if output.startswith(printed, start):
                break
        else:
            return None
        texts.append(output[position:start])
        slots.append((n, transform))
        position = start + len(printed)
    texts.append(output[position:])
    return _Shell(texts, slots)


def _find_all(text: str, marker: str) -> list[int]:
    found, start = [], text.find(marker)
    while start != -1:
        found.append(start)
        start = text.find(marker, start + 1)
    return found


def _difference(page: str, first: str, filled: str, output: str) -> str:
    pairs = zip(filled, output, strict=False)
    at = next((n for n, (a, b) in enumerate(pairs) if a != b), min(len(filled), len(output)))
    line = output.count("\n", 0, at) + 1
    shown = output[max(0, at - 60):at + 60].strip().replace("\n", " ")
    return (f"factcheck: {page}: the theme shows this page differently from {first} in more than its title, address "
            f"and body (its line {line}: …{shown}…), so its pages cannot be put in a shell of the theme's page. "
            "A theme override or plugin decides something by a page's own values; set `page_shell: false` "
            "under the factcheck plugin in mkdocs.yml. The build stopped")
