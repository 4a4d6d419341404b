"""Every rule id a finding can carry, in one registry.

A diagnostic (`handoutkit.diagnostics`) or an audit problem (`handoutkit.audit`) names the rule
it breaks by one of these ids; the id is stable (editors, CI filters and `--format json`
consumers key on it), shown in JSON output and listed in the README's rules table, which a
test keeps in step with this registry. Adding a rule: add it here, use it, document it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Stage = Literal["load", "check", "render", "print", "build", "audit"]


@dataclass(frozen=True)
class Rule:
    id: str
    stage: Stage
    summary: str  # what the rule asks for, in one line (the README's table)


_RULES = (
    # load: YAML → models
    Rule("yaml-syntax", "load", "The file is valid YAML (indentation, quoting, one document)."),
    Rule("yaml-encoding", "load", "Text is UTF-8 without control or invisible characters."),
    Rule(
        "yaml-limits",
        "load",
        "Files stay under 1 MB, 64 levels and 200,000 values; no alias loops.",
    ),
    Rule("yaml-key", "load", "Keys are plain text and appear once per mapping."),
    Rule("yaml-tag", "load", "No YAML tags (!!python/…, !custom): content is plain data."),
    Rule("file-read", "load", "The file can be read and is not empty."),
    Rule("symlink", "load", "Content files are not symbolic links to files outside the project."),
    Rule(
        "schema",
        "load",
        "Every field has a known key, the right type and form; required fields exist.",
    ),
    Rule("document-type", "load", "A document is a mapping with `type: handout` or `type: brief`."),
    Rule(
        "language",
        "load",
        "A document's language matches its file name and the configured languages.",
    ),
    Rule("topic-name", "load", "Topic folders have simple names (lower case, digits, hyphens)."),
    Rule("file-name", "load", "YAML files in a topic folder are named <kind>.<language>.yaml."),
    Rule(
        "shared-data",
        "load",
        "The reference library, crisis resources and disclaimers exist and are well formed.",
    ),
    Rule("reference-id", "load", "Each reference in the library has a unique id."),
    Rule(
        "empty-value",
        "load",
        "A key written in a file has a value (`#` after `key:` starts a comment: quote colours).",
    ),
    # check: rules across files
    Rule("unique-id", "check", "Each document has a unique id."),
    Rule(
        "citation",
        "check",
        "Every citation resolves to the library; every document cites its sources.",
    ),
    Rule("uncited-reference", "check", "Every reference in the library is cited by some document."),
    Rule("reference-accessed", "check", "A cited web page has the date it was read (`accessed`)."),
    Rule(
        "citation-topic",
        "check",
        "A document cites sources about its own topic, not another topic pack's.",
    ),
    Rule("link", "check", "Links go to https://, http://, mailto: or tel: only."),
    Rule(
        "foreign-phrase",
        "check",
        "A phrase marked [text]{lang=xx} names a valid language other than the document's.",
    ),
    Rule(
        "mandatory-block",
        "check",
        "Crisis resources and a disclaimer exist for the document's region, audience and language.",
    ),
    Rule(
        "labels",
        "check",
        "handoutkit has printed labels (References, Page X of Y…) in the document's language.",
    ),
    Rule("review-date", "check", "The last review date is not in the future."),
    Rule("review-due", "check", "The document's review is not overdue."),
    Rule(
        "review-status",
        "check",
        "An approved document names its reviewer (name, credentials, role) and has the approval record of `handoutkit approve`.",
    ),
    Rule(
        "approval-changed",
        "check",
        "An approved document has not changed since approval, nor has the shared data it prints (else it counts as in review).",
    ),
    Rule(
        "release-status",
        "check",
        "With --release, every document is approved and unchanged since approval.",
    ),
    Rule(
        "sample-data",
        "check",
        "The organization in handoutkit.yaml is not sample data (REPLACE, example.org, 555-01xx numbers…): a warning, unless `organization.sample: true`; an error with --release.",
    ),
    Rule(
        "placeholder",
        "check",
        'No placeholder is left in a document or shared file (REPLACE, "replace me", "Replace with…", example.org, 555-01xx numbers, Example Street): a warning; an error with --release.',
    ),
    Rule(
        "wordy",
        "check",
        "A patient handout says it short: a long word where a short one says the same "
        "(utilize: use; handoutkit's list and the project's content/lexicon.yaml).",
    ),
    Rule(
        "crisis-prominence",
        "check",
        "A document about mental health keeps its crisis block prominent (page 1), not compact.",
    ),
    Rule(
        "claim-citation",
        "check",
        "A sentence with a number, a percentage or a comparison cites its source (warning in handouts, error in briefs).",
    ),
    Rule(
        "hype",
        "check",
        'No promotional words (breakthrough, miracle, cure, "proven" without a citation…): say what the evidence shows.',
    ),
    Rule(
        "field-label",
        "check",
        "Every write-in line, area and list of a worksheet has its own label (its field's "
        "accessible name).",
    ),
    Rule("asset", "check", "Images and the logo are files under the project's assets/ folder."),
    Rule(
        "cross-reference",
        "check",
        "A brief's patient handouts exist; its findings rows mark only footnotes it defines.",
    ),
    Rule(
        "contrast",
        "check",
        "Colours meet WCAG 2.2 contrast (7:1 body text, 4.5:1 other text, 3:1 borders).",
    ),
    Rule(
        "reading-level",
        "check",
        "Patient text reads at or below the audience's grade (Spanish: INFLESZ) limit.",
    ),
    Rule("long-sentence", "check", "Sentences stay under the audience's word limit."),
    Rule(
        "jargon", "check", "Medical terms in patient text are defined in the glossary or replaced."
    ),
    Rule(
        "untranslated", "check", "A translated document holds no text left in the source language."
    ),
    Rule(
        "section-reading-level",
        "check",
        "Each patient section of 30+ words reads within the audience's grade (INFLESZ) limit.",
    ),
    Rule("sentence-limit", "check", "No sentence is over the hard limit (40 words by default)."),
    Rule(
        "font-coverage",
        "check",
        "Every printed character has a glyph in the edition's fonts or the installed fonts.",
    ),
    Rule("bidi-control", "check", "Text holds no bidirectional embedding, override or isolate."),
    Rule("zero-width", "check", "No zero-width space or joiner hides inside a word."),
    Rule("combining-mark", "check", "Every combining mark follows a letter (and few are stacked)."),
    Rule("raw-html", "check", "Content holds no raw HTML tags or comments: Markdown only."),
    Rule(
        "markdown-nesting",
        "check",
        "Markdown lists and quotes are nested at most 4 levels deep.",
    ),
    # render: model → HTML
    Rule(
        "template", "render", "Templates render: valid Jinja, known templates, translated labels."
    ),
    Rule("html-edition", "render", "The HTML edition's stylesheets and images can be inlined."),
    # print: HTML → PDF
    Rule(
        "print", "print", "WeasyPrint prints the document without errors (files, fonts, alt text)."
    ),
    Rule("css", "print", "Stylesheets have no rule WeasyPrint would skip."),
    Rule("sandbox", "print", "Only files under assets/ and styles/ (and data: URIs) are loaded."),
    Rule("glyph", "print", "Every character is drawn with a real glyph, never a blank box."),
    Rule("overflow", "print", "No line, table or image extends past the page's text area."),
    Rule(
        "split",
        "print",
        "The crisis block, list items, table rows and figures never split across pages.",
    ),
    Rule("stranded-heading", "print", "No heading is the last line of a page."),
    Rule("widow-orphan", "print", "A paragraph split across pages keeps 2+ lines on each page."),
    Rule("sparse-page", "print", "No page holds only a few lines."),
    Rule(
        "image-resolution",
        "print",
        "Images print at 150 dpi or more (warning below; error below 96 dpi).",
    ),
    # build: outputs, rack packs, manifest
    Rule(
        "build",
        "build",
        "An output is built only when its document (and the shared data) has no errors.",
    ),
    Rule("rack", "build", "A rack pack holds every handout of its language."),
    Rule(
        "output", "build", "Outputs are written inside the output folder, completely or not at all."
    ),
    Rule(
        "worker",
        "build",
        "The worker process printing an output does not die (a crash or the out-of-memory killer).",
    ),
    Rule("time-limit", "build", "An output renders and prints within `limits.seconds`."),
    Rule("memory-limit", "build", "A worker printing an output stays under `limits.memory_mb`."),
    Rule(
        "page-limit",
        "build",
        "A document's PDF stays within the page thresholds of its kind (`limits.pages`).",
    ),
    Rule(
        "orphan-output",
        "build",
        "The output folder holds no output whose source is gone (`build --prune` removes them).",
    ),
    Rule(
        "stale-output",
        "build",
        "A build leaves no output of another format, rack pack or site saying something older.",
    ),
    # audit: any PDF
    Rule("file", "audit", "The file is a readable PDF with pages."),
    Rule("tagged", "audit", "The PDF is tagged (/MarkInfo /Marked true and a structure tree)."),
    Rule("lang", "audit", "The PDF declares its language (/Lang)."),
    Rule("title", "audit", "The PDF has a title that the viewer shows (DisplayDocTitle)."),
    Rule("pdfua", "audit", "The PDF identifies itself as PDF/UA (pdfuaid:part)."),
    Rule("fonts", "audit", "Every font is embedded."),
    Rule("figure-alt", "audit", "Every Figure has alternative text."),
    Rule("untagged-content", "audit", "All page content is tagged or marked as an artifact."),
    Rule("content", "audit", "Page content can be read."),
    Rule("headings", "audit", "Headings start at H1 and skip no level."),
    Rule(
        "text-size",
        "audit",
        "Text sizes meet the edition's minimum (12 pt body; large print 18 pt).",
    ),
    Rule("page-size", "audit", "All pages have one paper size."),
    Rule("split-element", "audit", "A table or list a page break splits is one structure element."),
    Rule("link-description", "audit", "Link annotations say what the link is, not an internal id."),
    Rule("table-scope", "audit", "Table header cells (TH) have a /Scope (row or column)."),
    Rule(
        "fused-citation",
        "audit",
        "Citation numbers do not run into the digits before them in extracted text.",
    ),
    Rule(
        "tab-order",
        "audit",
        "Form fields are visited (/Tabs /S, structure, /Annots) in the order they are read.",
    ),
    Rule(
        "form-field",
        "audit",
        "Every form field is in a Form structure element and has an accessible name (/TU).",
    ),
    Rule("verapdf", "audit", "veraPDF finds the file PDF/UA compliant."),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def is_rule(rule_id: str) -> bool:
    return rule_id in RULES
