"""The typed model of a publication: the single source of truth for the validator,
the JSON Schema shipped to editors and the claim-format documentation."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SLUG_RE = re.compile(SLUG_PATTERN)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INVISIBLE = ("\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u200B\\u200C\\u200E\\u200F\\u202A-\\u202E"
             "\\u2060-\\u2064\\u2066-\\u2069\\uFEFF")
TEXT_PATTERN = rf"^(?=[\s\S]*\S)[^{INVISIBLE}]*$"
LINE_PATTERN = rf"^(?=.*\S)[^\n{INVISIBLE}]*\n?$"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
HOSTNAME_PATTERN = rf"{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,63}}"
URL_PATTERN = rf"^[hH][tT][tT][pP][sS]?://{HOSTNAME_PATTERN}(?::[0-9]{{1,5}})?(?:[/?#][^\s\x00-\x1f\x7f]*)?$"
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")


def _iso_date(value: object) -> object:
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise ValueError("expected a date written as YYYY-MM-DD, e.g. 2025-08-20")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a real calendar date") from None


def explain_text_mismatch(value: str, single_line: bool = False) -> str:
    """Why a text value failed its pattern, in words an editor can act on."""
    invisible = _INVISIBLE_RE.search(value)
    if invisible:
        return f"contains an invisible control character U+{ord(invisible.group()):04X}; retype the text"
    if not value.strip():
        return "must not be empty"
    if single_line and "\n" in value.strip():
        return "must be a single line"
    return "is not valid text"


Date = Annotated[dt.date, BeforeValidator(_iso_date), WithJsonSchema({"type": "string", "format": "date",
                                                                      "pattern": _DATE_RE.pattern})]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=80)]
Text = Annotated[str, Field(min_length=1, max_length=20_000, pattern=TEXT_PATTERN)]
Line = Annotated[str, Field(min_length=1, max_length=300, pattern=LINE_PATTERN), AfterValidator(str.strip)]
Url = Annotated[str, Field(max_length=2000, pattern=URL_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False, regex_engine="python-re")


class Speaker(_Strict):
    """A person or organisation who makes statements."""

    name: Line = Field(description="Full name as readers know it, e.g. 'Sergey Lavrov'.")
    role: Line = Field(description="Role at the time of the statements, e.g. 'Foreign Minister of Russia'.")
    kind: Literal["person", "organization"] = Field("person", description="'person' or 'organization'.")
    wikidata: Annotated[str, Field(pattern=r"^Q[1-9][0-9]*$")] | None = Field(
        None, description="Optional Wikidata item id, e.g. 'Q22686'.")


class Topic(_Strict):
    """A subject that groups claims; each topic gets its own index page."""

    name: Line = Field(description="Title of the topic page.")
    description: Text | None = Field(None, description="One sentence shown under the title.")


Icon = Literal["check", "info", "scale", "question", "cross"]


class VerdictLevel(_Strict):
    """One rating of the publication's verdict scale."""

    id: Slug = Field(description="Identifier used by claims, e.g. 'contradicted'.")
    label: Line = Field(description="Verdict as readers see it (ClaimReview alternateName).")
    value: int = Field(ge=1, le=100, strict=True,
                       description="Numeric ClaimReview ratingValue; higher is more accurate.")
    icon: Icon = Field(description="Icon shown beside the label so the verdict never relies on colour alone.")
    colour: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] = Field(
        description="Badge background colour; white text must meet WCAG AA contrast on it.")
    description: Text = Field(description="What the rating means; shown on the methodology page.")


class Redirect(_Strict):
    """One redirect followed while an article was captured."""

    url: Url = Field(description="The address that answered with a redirect.")
    status: int = Field(ge=300, le=399, strict=True, description="Its HTTP status, e.g. 301.")


class Extractor(_Strict):
    """The program that took the article text out of the captured page."""

    name: Line = Field(description="Program name, e.g. 'trafilatura'.")
    version: Line = Field(description="Its exact version, e.g. '2.3.1'.")


Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


class Seed(_Strict):
    """An archived source article: this metadata, in seeds/ID.yaml, beside its text in seeds/ID.txt.
    `factcheck archive URL` writes both, with a WARC record of the capture in seeds/ID.warc.gz."""

    outlet: Line = Field(description="Publication name as readers know it, e.g. 'The Moscow Times'.")
    title: Line = Field(description="Headline of the article.")
    published: Date = Field(description="Publication date of the article.")
    author: Line | None = Field(None, description="Byline, when the article names one; never guessed.")
    url: Url | None = Field(None, description="Original URL; leave out when unknown, never guess.")
    url_note: Line | None = Field(
        None, description="Why the original URL is not known (e.g. 'The capture carries no URL'); "
                          "with it, a source without url is not a warning.")
    language: Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = Field(
        "en", description="Language of the text, e.g. 'en' or 'ru'.")
    captured: Annotated[AwareDatetime, AfterValidator(_utc)] | None = Field(
        None, description="When the page was captured, in UTC, e.g. 2025-08-20T09:41:07Z.")
    sha256: Sha256 | None = Field(None, description="SHA-256 of the captured page body, in hex.")
    final_url: Url | None = Field(None, description="Address the page was served from after redirects.")
    redirects: list[Redirect] = Field(default_factory=list, description="Redirects followed, in order.")
    extractor: Extractor | None = Field(None, description="Program and version that extracted the text.")
    archive_url: Url | None = Field(None, description="Address of a public archived copy (e.g. the Wayback Machine).")
    archive_status: Literal["archived", "pending"] | None = Field(
        None, description="'archived' when archive_url holds the public copy; 'pending' when it was asked for "
                          "but not (yet) made.")
    notes: Text | None = Field(None, description="Anything readers should know about the source or the capture.")

    @model_validator(mode="after")
    def _consistent(self) -> Seed:
        if self.url is not None and self.url_note is not None:
            raise ValueError("url_note explains a missing url; remove url_note when the url is known")
        if self.archive_status == "archived" and self.archive_url is None:
            raise ValueError("archive_status is 'archived' but archive_url is missing; add the address of the copy")
        if self.archive_status == "pending" and self.archive_url is not None:
            raise ValueError("archive_status is 'pending' but archive_url is set; change the status to 'archived'")
        return self


class ExternalSource(_Strict):
    """A source that is not archived in seeds/: quotes from it cannot be verified offline."""

    url: Url = Field(description="Link to the original article.")
    outlet: Line = Field(description="Publication name, e.g. 'Reuters'.")
    published: Date = Field(description="Publication date of the article.")
    title: Line | None = Field(None, description="Headline of the article.")


SourceRef = Slug | ExternalSource


LANGUAGES = {"ar": "Arabic", "be": "Belarusian", "de": "German", "en": "English", "es": "Spanish",
             "fr": "French", "it": "Italian", "ja": "Japanese", "ka": "Georgian", "pl": "Polish",
             "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "tr": "Turkish", "uk": "Ukrainian",
             "zh": "Chinese"}
"""Languages a quote can be translated from (ISO 639-1 code: English name)."""
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
Stance = Literal["contradicts", "supports", "adds-context"]
STANCES: tuple[Stance, ...] = ("contradicts", "supports", "adds-context")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


def opens_mid_sentence(quote: str) -> bool:
    """Whether a quote starts inside a sentence: with a lower-case letter or an elision."""
    text = quote.strip().lstrip("\"'“‘(")
    return text.startswith(("...", "…", "[...]", "[…]")) or text[:1].islower()


def closes_mid_sentence(quote: str) -> bool:
    """Whether a quote stops inside a sentence: it does not end with . ! ? or …"""
    return not _SENTENCE_END.search(quote.strip())


class Translation(_Strict):
    """Another outlet's translation of the same remark, quoted verbatim from that outlet."""

    source: SourceRef = Field(description="A seed id from seeds/, or {url, outlet, published, title}.")
    quote: Text = Field(description="That outlet's words, verbatim; mark an elision with [...].")


class Statement(_Strict):
    """Something a speaker said, quoted verbatim from a source."""

    speaker: Slug = Field(description="Speaker id from data/speakers.yaml.")
    date: Date | None = Field(
        None, description="When it was said, only if the source fixes it with certainty (explain how in `date_note` "
                          "when the source gives a weekday or 'the day before yesterday'); leave out otherwise.")
    date_note: Line | None = Field(
        None, description="How the date follows from the source, e.g. \"'on Monday' in an article of Wednesday "
                          "20 August 2025\".")
    source: SourceRef = Field(description="A seed id from seeds/, or {url, outlet, published, title}.")
    quote: Text = Field(description="Verbatim words from the source; mark an elision with [...]. A quote that "
                                    "starts or ends mid-sentence is shown with an elision mark.")
    reported: bool = Field(False, strict=True,
                           description="true when the quote is the outlet's paraphrase, not the speaker's words.")
    translated_from: LanguageCode | None = Field(
        None, description="Language the speaker used when the quote is the outlet's translation, e.g. 'ru'.")
    other_translations: list[Translation] = Field(
        default_factory=list, description="The same remark as other outlets translated it, shown together.")
    context: Line | None = Field(None,
                                 description="Short note on where it was said, e.g. 'Press conference in Moscow'.")


def _stance_required(schema: dict[str, Any]) -> None:
    schema["required"] = [*schema.get("required", []), "stance"]


class CounterStatement(Statement):
    """A statement set beside the claim, with what it does to it."""

    model_config = ConfigDict(json_schema_extra=_stance_required)

    stance: Stance | None = Field(
        None, description="Required. 'contradicts': it says the claim is wrong; 'supports': it bears the claim out; "
                          "'adds-context': it bears on the claim without settling it. The claimant's own words "
                          "cannot contradict the claim.")


class Verdict(_Strict):
    """The rating and its one-paragraph justification."""

    rating: Slug = Field(description="A rating id from data/verdicts.yaml.")
    summary: Text = Field(description="One paragraph that states the conclusion.")


def _cutoff_required(schema: dict[str, Any]) -> None:
    schema["required"] = [*schema.get("required", []), "evidence_cutoff"]


class Correction(_Strict):
    """A dated entry of the claim's public corrections log."""

    date: Date = Field(description="When the correction was made.")
    text: Text = Field(description="What changed and why (Markdown).")


class Claim(_Strict):
    """One fact-check: the claim, what was said, the statements set beside it, and the verdict."""

    model_config = ConfigDict(json_schema_extra=_cutoff_required)

    id: Slug | None = Field(None, description="Optional; when present it must equal the file name without .yaml.")
    claim: Annotated[Line, Field(max_length=200)] = Field(
        description="The claim as a short sentence without the verdict (ClaimReview claimReviewed).")
    statement: Statement = Field(description="Where and how the claim was made.")
    counter_statements: Annotated[list[CounterStatement], Field(min_length=1)] = Field(
        description="Statements that contradict, support or add context to the claim, each quoted from its source.")
    verdict: Verdict
    evidence_cutoff: Date | None = Field(
        None, description="Required. The date of the latest statement the verdict weighs; shown beside the verdict "
                          "as 'based on statements up to ...'. Not before the claim, not after publication.")
    topics: Annotated[list[Slug], Field(min_length=1)] = Field(description="Topic ids from data/topics.yaml.")
    published: Date = Field(description="Date the fact-check was first published.")
    updated: Date | None = Field(None, description="Date of the last substantive update, if any.")
    analysis: Text = Field(description="The reasoning, in Markdown. Raw HTML is not allowed.")
    corrections: list[Correction] = Field(default_factory=list, description="Dated corrections log.")
    draft: bool | None = Field(None, description=(
        "true: a work in progress, never published (factcheck preview shows it with a DRAFT banner). "
        "false: ready for publication, so any TODO text left is an error. Leave it out and a claim "
        "with TODO text is treated as a draft."))

    @property
    def modified(self) -> dt.date:
        dates = [self.published] + ([self.updated] if self.updated else []) + [c.date for c in self.corrections]
        return max(dates)


def is_slug(value: str) -> bool:
    return bool(_SLUG_RE.match(value))


# The publication: who publishes it, who pays, who writes it, how to reach them (IFCN transparency).

EMAIL_PATTERN = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@" + HOSTNAME_PATTERN + "$"
Email = Annotated[str, Field(max_length=254, pattern=EMAIL_PATTERN)]


class Address(_Strict):
    """Where readers reach the publication for one purpose: an email address, a web address (a form,
    an issue tracker), or both. When there is none, say why in `none_because` rather than publish
    an address that no one reads."""

    email: Email | None = Field(None, description="An address someone reads, e.g. 'corrections@newsroom.org'.")
    url: Url | None = Field(None, description="A web form or page for it, e.g. 'https://newsroom.org/tips'.")
    instructions: Text | None = Field(None, description="What to include, and what happens next (Markdown).")
    none_because: Text | None = Field(
        None, description="Why there is no address (shown to readers); with it, a missing address is not a warning.")

    @model_validator(mode="after")
    def _consistent(self) -> Address:
        if self.none_because is not None and (self.email is not None or self.url is not None):
            raise ValueError("none_because explains a missing address; remove it when an email or url is given")
        return self

    @property
    def given(self) -> bool:
        return self.email is not None or self.url is not None


class Section(_Strict):
    """A section of the transparency statement: what readers are told, in Markdown."""

    statement: Text | None = Field(None, description="What readers are told (Markdown).")


class Funder(_Strict):
    """One source of money."""

    name: Line = Field(description="Who pays, e.g. 'Example Foundation'.")
    kind: Literal["grant", "donations", "membership", "advertising", "contract", "owner", "other"] = Field(
        description="What kind of money it is.")
    share: Annotated[int, Field(ge=0, le=100, strict=True)] | None = Field(
        None, description="Share of the yearly budget, in percent (IFCN asks for every funder above 5%).")
    note: Line | None = Field(None,
                              description="Period, purpose or conditions, e.g. '2025 grant for election coverage'.")


class Funding(Section):
    """Who pays for the publication."""

    funders: list[Funder] = Field(default_factory=list, description="Every funder, largest first.")


class TeamMember(_Strict):
    """A person responsible for what the publication says."""

    name: Line = Field(description="Full name as published.")
    role: Line = Field(description="Role, e.g. 'Editor-in-chief'.")
    bio: Text | None = Field(None, description="A sentence or two on their background (Markdown).")


class Team(Section):
    """Who writes and edits the fact-checks."""

    members: list[TeamMember] = Field(default_factory=list, description="Editors and fact-checkers, in order.")


class Organisation(Section):
    """Who publishes: the legal entity, if any."""

    legal_name: Line | None = Field(None, description="Registered name of the publisher.")
    registered_in: Line | None = Field(None, description="Country or register, e.g. 'Registered charity in Ireland'.")
    postal_address: Text | None = Field(None, description="Postal address of the publisher.")
    website: Url | None = Field(None, description="The organisation's own website, if it has one.")


class Publication(_Strict):
    """data/publication.yaml: the transparency statement the About, Contact and corrections pages and
    every page's footer are drawn from. A missing value is a warning (an error with --strict): the
    site never shows a placeholder."""

    name: Line = Field(description="Name of the publication as readers know it.")
    draft: bool = Field(False, strict=True, description=(
        "true while the statement is being written (as `factcheck init` leaves it): what is missing is shown "
        "to readers as not stated yet, and is not reported. Remove it when every section is written."))
    summary: Text | None = Field(None, description="One or two sentences saying what the publication is (Markdown); "
                                                   "shown on the About page and, as plain text, in the footer.")
    organisation: Organisation = Field(default_factory=Organisation, description="Who publishes it.")
    ownership: Section = Field(default_factory=Section, description="Who owns it and who controls it.")
    funding: Funding = Field(default_factory=Funding, description="Who pays for it.")
    team: Team = Field(default_factory=Team, description="Who writes and edits it.")
    contact: Address = Field(default_factory=Address, description="How to reach the editors.")
    corrections: Address = Field(default_factory=Address, description="Where to report an error in a fact-check.")
    submit_claim: Address = Field(default_factory=Address, description="How readers can suggest a claim to check.")
