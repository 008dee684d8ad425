"""Escaping and sanitising, in one place: every string that reaches a page goes through here
or through the autoescaping Jinja2 environment built here."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from html import unescape
from pathlib import Path
from typing import Any

import comrak
import nh3
from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

ALLOWED_TAGS = {"p", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "br", "hr",
                "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "del"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_BLANKS = re.compile(r"[\x00-\x20]|%[01][0-9a-f]|%20", re.IGNORECASE)
_OMITTED = "<!-- raw HTML omitted -->"
"""What comrak's safe default writes in place of raw HTML."""
_TOP_HEADING = re.compile(r"<h[12][ >]")
_TARGETS = re.compile(r'<(a href|img src)="([^"]*)"')
"""Links and images in comrak's output, with their targets (comrak writes no other attribute first)."""


def _extensions() -> comrak.ExtensionOptions:
    extensions = comrak.ExtensionOptions()
    extensions.table = extensions.strikethrough = extensions.autolink = True
    return extensions


_EXTENSIONS = _extensions()
"""Fields are GitHub-flavoured Markdown, the Markdown of GitHub's comments and READMEs (tables,
~~strikethrough~~, bare web addresses as links), rendered by comrak, the GFM implementation GitLab
and docs.rs use. Task lists are left out (a check box would not survive the allowlist); raw HTML
is refused before rendering (`markdown_problems`), and comrak's default leaves out any that
reaches it and blanks links to unsafe schemes, before the allowlist sees them."""
_RENDER = comrak.RenderOptions()
_UNSAFE = comrak.RenderOptions()
_UNSAFE.unsafe_ = True
"""For `markdown_problems` only: raw HTML kept, and links to any scheme."""


def _comrak(text: str, options: comrak.RenderOptions = _RENDER) -> str:
    return comrak.render_markdown(text, extension_options=_EXTENSIONS, render_options=options)


def markdown_problems(text: str) -> list[str]:
    """Reasons a Markdown field would be refused: what the page would not show as written (raw
    HTML, an image, a heading above the page's own, a link the allowlist would drop). Found by
    comrak's own reading of the field, so that no construct it renders (a reference definition
    inside a quote, an entity in a link's target) escapes the check: rendered as it is published,
    raw HTML leaves comrak's marker; rendered keeping raw HTML and every link, each link and image
    shows its target as comrak decoded it, and the allowlist must keep each link's target."""
    problems = []
    # comrak gets a copy: reading a string as UTF-8 leaves a UTF-8 copy of it on the string, and
    # this one is the claim's own, kept for the whole build (see `memory`).
    text = text.encode().decode()
    published = _comrak(text)
    if _OMITTED in published:
        problems.append("raw HTML is not allowed; use Markdown (e.g. **bold**, [text](https://...))")
    if _TOP_HEADING.search(published):
        problems.append("headings in a field start at ### (the page's own headings are # and ##)")
    for kind, escaped in _TARGETS.findall(_comrak(text, _UNSAFE)):
        target = unescape(escaped)
        if kind == "img src":
            problems.append(f"image {target!r} is not allowed; link to it instead: [what it shows]({target})")
            continue
        # Browsers drop tabs and line breaks from an address, and a tool may decode its escapes:
        # a target that reads as another scheme without them is refused too.
        scheme = _SCHEME.match(_BLANKS.sub("", target))
        if scheme and scheme.group(1).lower() not in URL_SCHEMES:
            problems.append(f"link target {target!r} is not allowed; links must be http://, https:// or mailto:")
        elif "href=" not in allowlisted(f'<a href="{escaped}">link</a>'):
            problems.append(f"link target {target!r} is not a web address a page can link to; check it for "
                            "spaces and typing errors")
    return problems


def allowlisted(html: str) -> str:
    """HTML made from an untrusted field, cut to the allowlist of tags, attributes and link schemes."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow", strip_comments=True)


def markdown_html(text: str) -> Markup:
    """Markdown from an untrusted field, rendered and sanitised by an allowlist."""
    return Markup(allowlisted(_comrak(text).rstrip("\n")))


def theme_text(text: str) -> str:
    """Text for theme templates that print values without escaping (MkDocs' Jinja2 has autoescape off)."""
    return str(escape(text))


def plain_text(html: str) -> str:
    """Readable text of trusted theme HTML (e.g. a page title MkDocs took from Markdown)."""
    return Markup(html).striptags()


def script_json(data: Any) -> Markup:
    """JSON that is safe inside a <script> element: it can never close the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return Markup(text)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The package's templates. They are code, read once like its modules, not looked up on disk
    again at every page (`auto_reload`: a `stat` each time a template is used, 110,000 of them in a
    build of 10,000 claims); `environment_for` reads them again when the package has changed."""
    env = Environment(loader=PackageLoader("generator", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
                      auto_reload=False)
    env.filters["markdown"] = markdown_html
    env.filters["script_json"] = script_json
    env.filters["longdate"] = lambda d: f"{d.day} {d.strftime('%B %Y')}" if d else ""
    return env


_READ_FOR = {"code": ""}


def environment_for(code: str, compiled: FileSystemBytecodeCache | None = None) -> Environment:
    """The environment for a build of the package whose digest is `code` (`keys.code_digest`): the
    templates read for another one are forgotten, so that a rebuild in the same process (`mkdocs
    serve`) after a template was edited renders with it, as its cache keys say it does.
    `compiled`: where compiled templates are kept for later processes (`compiled_templates`)."""
    env = environment()
    if _READ_FOR["code"] != code:
        if env.cache is not None:
            env.cache.clear()
        _READ_FOR["code"] = code
    env.bytecode_cache = compiled
    return env


def compiled_templates(cache_dir: Path | None) -> FileSystemBytecodeCache | None:
    """The templates Jinja compiled, kept in the cache folder for later processes, the package's and
    the theme's alike; each is used only while its source is unchanged (compiling the package's
    took 0.2 s of a rebuild). None without a cache."""
    if cache_dir is None:
        return None
    folder = cache_dir / "jinja"
    folder.mkdir(parents=True, exist_ok=True)
    return FileSystemBytecodeCache(str(folder))
